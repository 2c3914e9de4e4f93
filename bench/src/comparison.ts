import { median, round } from './measure.js';
import {
  CHAIN_STEPS,
  FAN_OUT,
  FAN_OUT_STEP_MS,
  IN_FLIGHT,
  RFP_CRITICAL_PATH_MS,
  RFP_SERIAL_MS,
  WORKLOADS,
  type Contender,
  type Figures,
  type Sizes,
  type Workload,
} from './workloads.js';

/** One row of the report: Baton's figure, each peer's, and the budget Baton's is held to. */
export interface Row {
  suite: string;
  name: string;
  unit: string;
  baton: number;
  /** By peer label; absent where the peers were not measured on this figure. */
  peers?: Record<string, number>;
  /** Whether a higher figure is better (throughput), so the ratio reads the right way round. */
  higherIsBetter?: boolean;
  budget: string;
  met: boolean;
}

/** How one figure of a compared workload is read from that workload's results, and what Baton owes on it. */
interface Metric<W extends Workload> {
  name: (sizes: Sizes) => string;
  unit: string;
  digits: number;
  value: (figures: Figures[W]) => number | undefined;
  bound?: { op: '≤' | '≥'; limit: number };
  higherIsBetter?: boolean;
  /** Reported for Baton only (peers have no such moment). */
  batonOnly?: boolean;
}

const chains = (s: Sizes): string =>
  `W1 chain: ${CHAIN_STEPS}-step runs × ${s.chainRuns.toLocaleString('en-US')}, ${IN_FLIGHT} in flight`;
const fanOut = `W2 fan-out: ${FAN_OUT} × ${FAN_OUT_STEP_MS} ms steps + join`;
const rfp = `W3 RFP DAG (critical path ${RFP_CRITICAL_PATH_MS} ms, all steps in a row ${RFP_SERIAL_MS} ms)`;
const concurrent = (s: Sizes): string =>
  `W4: ${s.concurrentRuns.toLocaleString('en-US')} concurrent runs of 3 × 50 ms steps`;
const growth = (s: Sizes): string => `W6 state growth: one run of ${s.growthSteps} steps adding 2 KB each`;

const METRICS: { [W in Workload]: Metric<W>[] } = {
  w1: [
    {
      name: (s) => `${chains(s)}, time per step`,
      unit: 'µs',
      digits: 1,
      value: (f) => f.usPerStep,
      bound: { op: '≤', limit: 70 },
    },
    {
      name: (s) => `${chains(s)}, throughput`,
      unit: 'steps/s',
      digits: 0,
      value: (f) => f.stepsPerSecond,
      bound: { op: '≥', limit: 15_000 },
      higherIsBetter: true,
    },
    {
      name: (s) => `${chains(s)}, bytes written per step (WAL and checkpoints)`,
      unit: 'B',
      digits: 0,
      value: (f) => f.bytesPerStep,
      batonOnly: true,
    },
  ],
  w2: [
    {
      name: () => `${fanOut}, wall time from the start call`,
      unit: 'ms',
      digits: 2,
      value: (f) => f.wallMs,
      bound: { op: '≤', limit: 12 },
    },
    {
      name: () => `${fanOut}, wall time from run.created`,
      unit: 'ms',
      digits: 2,
      value: (f) => f.fromCreatedMs,
      bound: { op: '≤', limit: 12 },
      batonOnly: true,
    },
  ],
  w3: [
    {
      name: () => `${rfp}: makespan ÷ critical path`,
      unit: '×',
      digits: 3,
      value: (f) => f.makespan / RFP_CRITICAL_PATH_MS,
      bound: { op: '≤', limit: 1.02 },
    },
    {
      name: () => `${rfp}: time saved over all steps in a row`,
      unit: '%',
      digits: 1,
      value: (f) => 100 * (1 - f.makespan / RFP_SERIAL_MS),
      higherIsBetter: true,
    },
  ],
  w4: [
    {
      name: (s) => `${concurrent(s)}, wall time`,
      unit: 'ms',
      digits: 0,
      value: (f) => f.wallMs,
      bound: { op: '≤', limit: 450 },
    },
    {
      name: (s) => `${concurrent(s)}, peak RSS above the RSS before`,
      unit: 'MB',
      digits: 1,
      value: (f) => f.rssDeltaMb,
      bound: { op: '≤', limit: 150 },
    },
    {
      name: (s) => `${concurrent(s)}, peak RSS of the process`,
      unit: 'MB',
      digits: 1,
      value: (f) => f.rssPeakMb,
      bound: { op: '≤', limit: 150 },
    },
  ],
  w6: [
    { name: (s) => `${growth(s)}: time per step, first 50`, unit: 'µs', digits: 0, value: (f) => f.firstUs },
    { name: (s) => `${growth(s)}: time per step, last 50`, unit: 'µs', digits: 0, value: (f) => f.lastUs },
    {
      name: (s) => `${growth(s)}: last ÷ first (flat is 1)`,
      unit: '×',
      digits: 2,
      value: (f) => f.lastUs / f.firstUs,
      bound: { op: '≤', limit: 1.5 },
    },
  ],
};

/**
 * Runs every compared workload on every contender, alternating engine by engine within each repetition (so that
 * a slow spell of this shared machine falls on all of them), and reports the median of `times` repetitions per
 * figure. `contenders[0]` is Baton; the others are peers.
 */
export async function runComparison(
  contenders: readonly Contender[],
  sizes: Sizes,
  times: number,
  log: (line: string) => void = () => undefined,
): Promise<Row[]> {
  const [baton, ...peers] = contenders;
  if (!baton) throw new Error('comparison: no contenders');
  const rows: Row[] = [];
  for (const workload of WORKLOADS) {
    const results = new Map<Contender, unknown[]>(contenders.map((c) => [c, []]));
    for (let rep = 0; rep < times; rep++) {
      for (const contender of contenders) {
        const started = performance.now();
        results
          .get(contender)
          ?.push(await (contender.run[workload] as (s: Sizes) => Promise<unknown>)(sizes));
        log(
          `${workload} ${rep + 1}/${times} ${contender.label}: ${Math.round(performance.now() - started)} ms`,
        );
      }
    }
    rows.push(...rowsOf(workload, METRICS[workload] as Metric<Workload>[], results, baton, peers, sizes));
  }
  return rows;
}

function rowsOf(
  workload: Workload,
  metrics: readonly Metric<Workload>[],
  results: Map<Contender, unknown[]>,
  baton: Contender,
  peers: readonly Contender[],
  sizes: Sizes,
): Row[] {
  const figure = (contender: Contender, metric: Metric<Workload>): number | undefined => {
    const values = (results.get(contender) ?? [])
      .map((r) => metric.value(r as Figures[Workload]))
      .filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : round(median(values), metric.digits);
  };
  return metrics.flatMap((metric) => {
    const value = figure(baton, metric);
    if (value === undefined) return [];
    const peerFigures = metric.batonOnly
      ? undefined
      : Object.fromEntries(peers.map((p) => [p.label, figure(p, metric) ?? NaN]));
    const { bound } = metric;
    const row: Row = {
      suite: workload === 'w6' ? 'state' : 'engine',
      name: `${metric.name(sizes)} (median of ${results.get(baton)?.length ?? 0})`,
      unit: metric.unit,
      baton: value,
      budget: bound ? `${bound.op} ${bound.limit.toLocaleString('en-US')} ${metric.unit}` : '—',
      met: bound ? (bound.op === '≤' ? value <= bound.limit : value >= bound.limit) : true,
      ...(peerFigures ? { peers: peerFigures } : {}),
      ...(metric.higherIsBetter ? { higherIsBetter: true } : {}),
    };
    return [row];
  });
}

/** How many times better Baton's figure is than a peer's (below 1: the peer is better). */
export function advantage(row: Row, peer: number): number {
  return row.higherIsBetter === true ? row.baton / peer : peer / row.baton;
}
