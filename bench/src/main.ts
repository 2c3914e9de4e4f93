import { cpus, totalmem } from 'node:os';
import { runEngineBench } from './engine-bench.js';
import { runExprBench } from './expr-bench.js';
import { runPeerBench } from './peers/peer-bench.js';
import { runPlanBench } from './plan-bench.js';
import { runStateGrowthBench } from './state-growth-bench.js';
import { runStoreBench } from './store-bench.js';
import type { BenchResult } from './measure.js';

/** `--quick`: suites that repeat their workloads run them once. */
const quick = process.argv.includes('--quick');

/** The suites in the order they run; each returns its figures. */
const suites: { name: string; run: () => Promise<BenchResult[]> }[] = [
  { name: 'planner', run: runPlanBench },
  { name: 'expressions', run: runExprBench },
  { name: 'store', run: runStoreBench },
  { name: 'engine', run: () => runEngineBench({ quick }) },
  { name: 'engine', run: runStateGrowthBench },
  { name: 'peers', run: () => runPeerBench({ quick }) },
];

function format(value: number): string {
  return value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** Runs every suite and prints one Markdown table with the machine it ran on. */
async function main(): Promise<void> {
  const rows: string[] = [];
  for (const suite of suites) {
    for (const figure of await suite.run()) {
      rows.push(
        `| ${suite.name} | ${figure.name} | ${format(figure.value)} ${figure.unit} | ${figure.budget} | ${figure.met ? 'met' : 'short'} |`,
      );
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\n${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores (${cpu}) · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version}\n`,
  );
  console.log('| suite | workload | result | budget | status |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

await main();
