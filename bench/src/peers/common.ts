import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { round, type BenchResult } from '../measure.js';

// The measuring helpers every suite shares, for the peers' files.
export { MB, collectGarbage, median, medians, round, rssSampler } from '../measure.js';

/** The workloads of the engine suite, shared by every peer so that each does the same work. */

// W1 — 10-step chains of no-op steps, 50 in flight.
export const CHAIN_STEPS = 10;
export const CHAIN_RUNS = 1_000;
export const CHAIN_WARM_UP_RUNS = 100;
export const IN_FLIGHT = 50;

// W2 — 50 parallel 10 ms steps, then a join.
export const FAN_OUT = 50;
export const FAN_OUT_STEP_MS = 10;

// W3 — the RFP-shaped DAG.
export const RFP_STEPS: readonly { id: string; ms: number; after: readonly string[] }[] = [
  { id: 'analyze', ms: 50, after: [] },
  { id: 'extract', ms: 90, after: ['analyze'] },
  { id: 'research', ms: 60, after: ['analyze'] },
  { id: 'draft_pricing', ms: 45, after: ['analyze'] },
  { id: 'draft_technical', ms: 90, after: ['extract', 'research'] },
  { id: 'legal', ms: 100, after: ['draft_technical', 'draft_pricing'] },
  { id: 'format', ms: 30, after: ['legal'] },
];
export const RFP_CRITICAL_PATH_MS = 50 + 90 + 90 + 100 + 30;

// W4 — 2,000 concurrent runs of three 50 ms steps.
export const CONCURRENT_RUNS = 2_000;
export const CONCURRENT_STEP_MS = 50;
export const CONCURRENT_STEPS = 3;

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`peer bench: ${message}`);
}

/** When each step of one run started and ended, and how often it ran. */
export class StepLog {
  private readonly entries = new Map<string, { runs: number; start: number; end: number }>();

  /** Called by a step as it starts; returns the function it calls as it ends. */
  begin(step: string): () => void {
    const entry = this.entries.get(step) ?? { runs: 0, start: 0, end: Infinity };
    entry.runs++;
    entry.start = performance.now();
    this.entries.set(step, entry);
    return () => {
      entry.end = performance.now();
    };
  }

  /** Checks that exactly `steps` ran, each once, and that none started before those it depends on ended. */
  verify(what: string, steps: readonly { id: string; after: readonly string[] }[]): void {
    check(
      this.entries.size === steps.length,
      `${what}: ${this.entries.size} steps ran, expected ${steps.length}`,
    );
    for (const step of steps) {
      const entry = this.entries.get(step.id);
      check(entry?.runs === 1, `${what}: step ${step.id} ran ${entry?.runs ?? 0} times`);
      for (const before of step.after) {
        const ended = this.entries.get(before)?.end ?? Infinity;
        check(entry.start >= ended, `${what}: ${step.id} started before ${before} ended`);
      }
    }
  }
}

/** Counts how often each step of each run ran, for workloads with many runs (one slot per run and step). */
export class RunCounter {
  private readonly counts: Uint16Array;

  constructor(
    private readonly runs: number,
    private readonly steps: number,
  ) {
    this.counts = new Uint16Array(runs * steps);
  }

  ran(run: number, step: number): void {
    check(
      run >= 0 && run < this.runs && step >= 0 && step < this.steps,
      `run ${run} step ${step} out of range`,
    );
    this.counts[run * this.steps + step]!++;
  }

  /** Checks that every step of the runs `from`…`to - 1` ran exactly once. */
  verify(what: string, from: number, to: number): void {
    for (let run = from; run < to; run++) {
      for (let step = 0; step < this.steps; step++) {
        const count = this.counts[run * this.steps + step] ?? 0;
        check(count === 1, `${what}: step ${step} of run ${run} ran ${count} times`);
      }
    }
  }
}

/** Runs `runs` runs keeping `IN_FLIGHT` in flight; `one(n)` runs run number `n`. */
export async function drive(first: number, runs: number, one: (n: number) => Promise<void>): Promise<void> {
  let next = first;
  const end = first + runs;
  const lane = async (): Promise<void> => {
    while (next < end) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, runs) }, lane));
}

/** The figures of one W4 repetition. */
export interface MemoryFigures {
  wallMs: number;
  rssDeltaMb: number;
  rssPeakMb: number;
}

/** Runs `script --workload=w4 --mode=<mode>` in a fresh Node process and returns the JSON line it prints last. */
export async function inFreshProcess(script: string, mode: string): Promise<MemoryFigures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [script, '--workload=w4', `--mode=${mode}`],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as MemoryFigures;
}

/** The figures one peer in one mode reports, in the shape of the other suites. */
export interface PeerFigures {
  w1: { stepsPerSecond: number; usPerStep: number; runs: number };
  w2: { wallMs: number };
  w3: { makespan: number };
  w4: MemoryFigures;
}

/** Turns one peer's figures into results named after the peer and its durability mode. */
export function peerResults(peer: string, figures: PeerFigures, times: number): BenchResult[] {
  const of = times === 1 ? '1 run' : `median of ${times}`;
  const result = (name: string, value: number, unit: string, digits: number): BenchResult => ({
    name: `${peer}: ${name} (${of})`,
    value: round(value, digits),
    unit,
    budget: '—',
    met: true,
  });
  const { w1, w2, w3, w4 } = figures;
  const chains = `W1 chain: ${CHAIN_STEPS}-step runs × ${w1.runs.toLocaleString('en-US')}, ${IN_FLIGHT} in flight`;
  const concurrent = `W4: ${CONCURRENT_RUNS.toLocaleString('en-US')} concurrent runs of ${CONCURRENT_STEPS} × ${CONCURRENT_STEP_MS} ms steps`;
  return [
    result(`${chains}, throughput`, w1.stepsPerSecond, 'steps/s', 0),
    result(`${chains}, time per step`, w1.usPerStep, 'µs', 1),
    result(`W2 fan-out: ${FAN_OUT} × ${FAN_OUT_STEP_MS} ms steps + join, wall time`, w2.wallMs, 'ms', 2),
    result(
      `W3 RFP DAG: makespan ÷ critical path (${RFP_CRITICAL_PATH_MS} ms)`,
      w3.makespan / RFP_CRITICAL_PATH_MS,
      '×',
      3,
    ),
    result('W3 RFP DAG: makespan', w3.makespan, 'ms', 1),
    result(`${concurrent}, wall time`, w4.wallMs, 'ms', 0),
    result(`${concurrent}, peak RSS above the RSS before`, w4.rssDeltaMb, 'MB', 1),
    result(`${concurrent}, peak RSS of the process`, w4.rssPeakMb, 'MB', 1),
  ];
}

/** Prints results as the engine suite does when run alone. */
export function printResults(results: readonly BenchResult[]): void {
  console.log('| workload | result |');
  console.log('|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${r.value.toLocaleString('en-US')} ${r.unit} |`);
}
