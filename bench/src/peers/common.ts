// The measuring helpers every suite shares, for the peers' files.
export { MB, collectGarbage, median, medians, round, rssSampler } from '../measure.js';

// The workloads every engine runs.
export {
  CHAIN_STEPS,
  CHAIN_WARM_UP_RUNS,
  CONCURRENT_STEP_MS,
  CONCURRENT_STEPS,
  FAN_OUT,
  FAN_OUT_STEP_MS,
  GROWTH_PAYLOAD_BYTES,
  IN_FLIGHT,
  RFP_STEPS,
  argument,
  growthFigures,
  inFreshProcess,
  isEntryPoint,
  type Contender,
  type Figures,
  type MemoryFigures,
  type Sizes,
} from '../workloads.js';
import {
  IN_FLIGHT,
  argument,
  inFreshProcess,
  type Contender,
  type Figures,
  type MemoryFigures,
} from '../workloads.js';

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

/** A peer's single-repetition workloads in one durability mode. */
export interface PeerWorkloads {
  chain(mode: PeerMode, runs: number): Promise<Figures['w1']>;
  fanOut(mode: PeerMode): Promise<Figures['w2']>;
  rfp(mode: PeerMode): Promise<Figures['w3']>;
  concurrent(mode: PeerMode, runs: number): Promise<MemoryFigures>;
  growth(mode: PeerMode, steps: number): Promise<Figures['w6']>;
}

/** `durable`: the peer's SQLite-backed storage; `memory`: its in-memory storage. */
export type PeerMode = 'durable' | 'memory';

/**
 * A peer's two contenders (durable and in memory). W4 runs `script` in a fresh Node process, which answers through
 * {@link runPeerChild}.
 */
export function peerContenders(
  script: string,
  labels: Record<PeerMode, string>,
  work: PeerWorkloads,
): Contender[] {
  return (['durable', 'memory'] as const).map((mode) => ({
    label: labels[mode],
    durable: mode === 'durable',
    run: {
      w1: (sizes) => work.chain(mode, sizes.chainRuns),
      w2: () => work.fanOut(mode),
      w3: () => work.rfp(mode),
      w4: (sizes) =>
        inFreshProcess(script, ['--workload=w4', `--mode=${mode}`, `--runs=${sizes.concurrentRuns}`]),
      w6: (sizes) => work.growth(mode, sizes.growthSteps),
    },
  }));
}

/** The W4 child of a peer's file: runs the concurrent workload once and prints its figures as JSON. */
export async function runPeerChild(name: string, work: PeerWorkloads): Promise<void> {
  const mode = argument('mode');
  if (argument('workload') !== 'w4' || (mode !== 'durable' && mode !== 'memory')) {
    throw new Error(`usage: ${name} --workload=w4 --mode=durable|memory --runs=N`);
  }
  console.log(JSON.stringify(await work.concurrent(mode, Number(argument('runs') ?? 2_000))));
}
