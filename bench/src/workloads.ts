import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { median } from './measure.js';

/**
 * The workloads every engine runs — Baton and each peer — with the same constants, so a row of the comparison
 * compares the same work. DESIGN §7 and the benchmark issue define them.
 */

// W1 — 10-step chains of no-op steps, 50 in flight.
export const CHAIN_STEPS = 10;
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
export const RFP_SERIAL_MS = RFP_STEPS.reduce((sum, s) => sum + s.ms, 0);

// W4 — concurrent runs of three 50 ms steps.
export const CONCURRENT_STEP_MS = 50;
export const CONCURRENT_STEPS = 3;

// W6 — one chain whose every step adds 2 KB to the run's state.
export const GROWTH_PAYLOAD_BYTES = 2048;
/** The per-step time is compared between the first and the last this-many steps. */
export const GROWTH_WINDOW = 50;

/** How much work a workload does; `--quick` makes every engine do less of the same work. */
export interface Sizes {
  /** W1: chains timed after the warm-up. */
  chainRuns: number;
  /** W4: runs started at once. */
  concurrentRuns: number;
  /** W6: steps of the one growing run. */
  growthSteps: number;
}

export const FULL_SIZES: Sizes = { chainRuns: 1_000, concurrentRuns: 2_000, growthSteps: 500 };
export const QUICK_SIZES: Sizes = { chainRuns: 200, concurrentRuns: 500, growthSteps: 200 };

/** W4's figures: wall time and the process's resident memory. */
export interface MemoryFigures {
  wallMs: number;
  rssDeltaMb: number;
  rssPeakMb: number;
}

/** What one repetition of each compared workload reports. */
export interface Figures {
  /** Baton also reports the bytes it handed to the OS per step (`bytesPerStep`). */
  w1: { usPerStep: number; stepsPerSecond: number; bytesPerStep?: number };
  /** Baton also reports the time from the run's creation in the store (`fromCreatedMs`). */
  w2: { wallMs: number; fromCreatedMs?: number };
  w3: { makespan: number };
  w4: MemoryFigures;
  /** Median time per step over the first and over the last `GROWTH_WINDOW` steps, in µs. */
  w6: { firstUs: number; lastUs: number };
}

export type Workload = keyof Figures;
export const WORKLOADS: readonly Workload[] = ['w1', 'w2', 'w3', 'w4', 'w6'];

/** One engine in one durability mode, able to run each compared workload once. */
export interface Contender {
  /** Column heading, e.g. `LangGraph.js, SqliteSaver`. */
  readonly label: string;
  /** Whether every step's result is on disk before the next step starts: only durable rows compare. */
  readonly durable: boolean;
  readonly run: { [W in Workload]: (sizes: Sizes) => Promise<Figures[W]> };
}

/** The median first-window and last-window step times of a run whose steps started at `starts` (ms). */
export function growthFigures(starts: readonly number[]): Figures['w6'] {
  const gaps = starts.slice(1).map((t, i) => (t - (starts[i] ?? t)) * 1_000);
  return { firstUs: median(gaps.slice(0, GROWTH_WINDOW)), lastUs: median(gaps.slice(-GROWTH_WINDOW)) };
}

/**
 * Runs `script` with `args` in a fresh Node process and returns the JSON it prints last, so that memory figures
 * count one engine and one workload only, not what earlier workloads left in this process's heap.
 */
export async function inFreshProcess<T>(script: string, args: readonly string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [script, ...args], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}

/** Whether the module at `url` is the script Node was started with. */
export function isEntryPoint(url: string): boolean {
  return process.argv[1] !== undefined && url === pathToFileURL(process.argv[1]).href;
}

/** The value of `--name=value` on the command line. */
export function argument(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
