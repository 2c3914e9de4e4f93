import { cpus, totalmem } from 'node:os';
import { runControlsBench } from './baton/controls.js';
import { runCrashBench } from './baton/crash.js';
import { runInboxBench } from './baton/inbox.js';
import { runSelectionBench } from './baton/selection.js';
import { runDistributedBench } from './baton/distributed.js';
import { batonContender } from './baton/compared.js';
import { runLoadBench } from './baton/load.js';
import { waitingInFreshProcess, WAITING_RUNS } from './baton/waiting.js';
import { advantage, runComparison, type Row } from './comparison.js';
import { runExprBench } from './expr-bench.js';
import { medians, round, type BenchResult } from './measure.js';
import { langGraphContenders } from './peers/langgraph-bench.js';
import { mastraContenders } from './peers/mastra-bench.js';
import { runPlanBench } from './plan-bench.js';
import { runStoreBench } from './store-bench.js';
import { FULL_SIZES, QUICK_SIZES, argument } from './workloads.js';

/** `--quick`: every engine does less of the same work, once; the load test sustains its rate for 10 s. */
const quick = process.argv.includes('--quick');
const times = quick ? 1 : 3;
/** `--suites=engine,load`: run only these. */
const only = argument('suites')?.split(',');

const contenders = [batonContender(), ...langGraphContenders(), ...mastraContenders()];
const peerLabels = contenders.slice(1).map((c) => c.label);

/** A Baton-only figure as a row of the table. */
const batonRow =
  (suite: string) =>
  (r: BenchResult): Row => ({
    suite,
    name: r.name,
    unit: r.unit,
    baton: r.value,
    budget: r.budget,
    met: r.met,
  });

async function waiting(): Promise<BenchResult[]> {
  const w5 = await medians(times, waitingInFreshProcess);
  const name = `W5: ${WAITING_RUNS.toLocaleString('en-US')} runs waiting on an approval`;
  return [
    {
      name: `${name}, RSS above the RSS before`,
      value: round(w5.rssDeltaMb, 1),
      unit: 'MB',
      budget: '≤ 100 MB',
      met: w5.rssDeltaMb <= 100,
    },
    {
      name: `${name}, RSS of the process`,
      value: round(w5.rssMb, 1),
      unit: 'MB',
      budget: '≤ 100 MB',
      met: w5.rssMb <= 100,
    },
  ];
}

/** The suites in the order they run. */
const suites: { name: string; run: () => Promise<Row[]> }[] = [
  { name: 'planner', run: async () => (await runPlanBench()).map(batonRow('planner')) },
  { name: 'expressions', run: async () => (await runExprBench()).map(batonRow('expressions')) },
  { name: 'store', run: async () => (await runStoreBench()).map(batonRow('store')) },
  {
    name: 'engine',
    run: () =>
      runComparison(contenders, quick ? QUICK_SIZES : FULL_SIZES, times, (line) => console.error(line)),
  },
  { name: 'waiting', run: async () => (await waiting()).map(batonRow('engine')) },
  { name: 'inbox', run: async () => (await runInboxBench()).map(batonRow('inbox')) },
  { name: 'crash', run: async () => (await runCrashBench()).map(batonRow('crash')) },
  { name: 'controls', run: async () => (await runControlsBench()).map(batonRow('controls')) },
  { name: 'selection', run: async () => (await runSelectionBench()).map(batonRow('selection')) },
  { name: 'load', run: async () => (await runLoadBench({ quick })).map(batonRow('load')) },
  {
    name: 'distributed',
    run: async () => (await runDistributedBench({ quick })).map(batonRow('distributed')),
  },
];

function format(value: number): string {
  if (Number.isNaN(value)) return '—';
  return Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** One table row: Baton's figure, then each peer's with how many times better Baton is on it. */
function line(row: Row): string {
  const peers = peerLabels.map((label) => {
    const value = row.peers?.[label];
    if (value === undefined || Number.isNaN(value)) return '—';
    return `${format(value)} ${row.unit} (${format(round(advantage(row, value), 2))}×)`;
  });
  const durable = contenders.filter((c) => c.durable).slice(1);
  const behind = durable.some((c) => {
    const value = row.peers?.[c.label];
    return value !== undefined && !Number.isNaN(value) && advantage(row, value) < 1;
  });
  const status = `${row.met ? 'met' : 'short'}${row.peers ? (behind ? ' · behind a durable peer' : ' · ahead') : ''}`;
  return `| ${row.suite} | ${row.name} | ${format(row.baton)} ${row.unit} | ${peers.join(' | ')} | ${row.budget} | ${status} |`;
}

/** Runs every suite and prints one Markdown table with the machine it ran on. */
async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const suite of suites) {
    if (only && !only.includes(suite.name)) continue;
    const started = performance.now();
    rows.push(...(await suite.run()));
    console.error(`${suite.name}: ${Math.round((performance.now() - started) / 1_000)} s`);
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores (${cpu}) · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version}${quick ? ' · --quick' : ''}\n`,
  );
  console.log(
    `Peer cells: the peer's figure and, in brackets, how many times better Baton's is (below 1: the peer's is better). Durable: Baton, ${durableLabels()}.\n`,
  );
  console.log(`| suite | workload | Baton, SQLite | ${peerLabels.join(' | ')} | budget | status |`);
  console.log(`|---|---|---|${peerLabels.map(() => '---|').join('')}---|---|`);
  for (const row of rows) console.log(line(row));
}

function durableLabels(): string {
  return contenders
    .slice(1)
    .filter((c) => c.durable)
    .map((c) => c.label)
    .join(', ');
}

await main();
