import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  Annotation,
  END,
  MemorySaver,
  START,
  StateGraph,
  type BaseCheckpointSaver,
} from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { BenchResult } from '../measure.js';
import {
  CHAIN_STEPS,
  CHAIN_WARM_UP_RUNS,
  CONCURRENT_RUNS,
  CONCURRENT_STEP_MS,
  CONCURRENT_STEPS,
  FAN_OUT,
  FAN_OUT_STEP_MS,
  MB,
  RFP_STEPS,
  RunCounter,
  StepLog,
  check,
  collectGarbage,
  drive,
  inFreshProcess,
  medians,
  peerResults,
  printResults,
  rssSampler,
  type MemoryFigures,
} from './common.js';

/** `durable`: checkpoints in SQLite (SqliteSaver on a temp file); `memory`: MemorySaver. */
type Mode = 'durable' | 'memory';

/** Chains measured per repetition: LangGraph finishes 1,000 well within a minute. */
const CHAIN_RUNS = 1_000;

/** The state every graph of this suite carries: the run's number and a count each chain step increments. */
const State = Annotation.Root({
  n: Annotation<number>(),
  count: Annotation<number>(),
});
type StateType = typeof State.State;

/** A graph builder whose node names are plain strings, since the nodes are made in loops. */
type Builder = StateGraph<typeof State.spec, StateType, Partial<StateType>, string>;
const builder = (): Builder => new StateGraph(State);

/**
 * Opens a checkpointer for `mode` (a SqliteSaver on a fresh temp file, WAL, or a MemorySaver), hands it to `work`,
 * then closes it and removes the file.
 */
async function withSaver<T>(
  mode: Mode,
  work: (saver: BaseCheckpointSaver, threads: () => number) => Promise<T>,
): Promise<T> {
  if (mode === 'memory') {
    const saver = new MemorySaver();
    return work(saver, () => Object.keys(saver.storage).length);
  }
  const dir = mkdtempSync(join(tmpdir(), 'langgraph-bench-'));
  try {
    const saver = SqliteSaver.fromConnString(join(dir, 'checkpoints.db'));
    try {
      const threads = (): number =>
        (saver.db.prepare('SELECT COUNT(DISTINCT thread_id) AS n FROM checkpoints').get() as { n: number }).n;
      return await work(saver, threads);
    } finally {
      saver.db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Durable mode writes each step's checkpoint before the next step starts, as Baton commits before dispatching. */
const durable = (mode: Mode): { durability?: 'sync' } => (mode === 'durable' ? { durability: 'sync' } : {});

/** A step that waits `ms` on a timer and records when it started and ended in its run's log. */
function sleeperNode(logs: Map<number, StepLog>, id: string, ms: number) {
  return async (state: StateType): Promise<Partial<StateType>> => {
    const end = logs.get(state.n)?.begin(id);
    check(end !== undefined, `no log for run ${state.n}`);
    await sleep(ms);
    end();
    return {};
  };
}

async function chainOnce(mode: Mode): Promise<{ stepsPerSecond: number; usPerStep: number; runs: number }> {
  const total = CHAIN_WARM_UP_RUNS + CHAIN_RUNS;
  const counter = new RunCounter(total, CHAIN_STEPS);
  let graph = builder();
  for (let i = 0; i < CHAIN_STEPS; i++) {
    graph = graph.addNode(`s${i}`, (state: StateType) => {
      counter.ran(state.n, i);
      return { count: state.count + 1 };
    });
    graph = graph.addEdge(i === 0 ? START : `s${i - 1}`, `s${i}`);
  }
  graph = graph.addEdge(`s${CHAIN_STEPS - 1}`, END);
  return withSaver(mode, async (checkpointer, threads) => {
    const app = graph.compile({ checkpointer });
    const one = async (n: number): Promise<void> => {
      const out = await app.invoke(
        { n, count: 0 },
        { configurable: { thread_id: `w1-${n}` }, ...durable(mode) },
      );
      check(out.count === CHAIN_STEPS, `chain run ${n} counted ${out.count} steps, expected ${CHAIN_STEPS}`);
    };
    await drive(0, CHAIN_WARM_UP_RUNS, one);
    const start = performance.now();
    await drive(CHAIN_WARM_UP_RUNS, CHAIN_RUNS, one);
    const elapsedMs = performance.now() - start;
    counter.verify('W1', 0, total);
    check(threads() === total, `${threads()} threads checkpointed, expected ${total}`);
    const steps = CHAIN_STEPS * CHAIN_RUNS;
    return {
      stepsPerSecond: (steps * 1_000) / elapsedMs,
      usPerStep: (elapsedMs * 1_000) / steps,
      runs: CHAIN_RUNS,
    };
  });
}

async function fanOutOnce(mode: Mode): Promise<{ wallMs: number }> {
  const logs = new Map<number, StepLog>();
  const branches = Array.from({ length: FAN_OUT }, (_, i) => `p${i}`);
  let graph = builder();
  for (const id of branches) {
    graph = graph.addNode(id, sleeperNode(logs, id, FAN_OUT_STEP_MS)).addEdge(START, id);
  }
  graph = graph
    .addNode('join', sleeperNode(logs, 'join', 0))
    .addEdge(branches, 'join')
    .addEdge('join', END);
  const shape = [...branches.map((id) => ({ id, after: [] })), { id: 'join', after: branches }];
  return withSaver(mode, async (checkpointer) => {
    const app = graph.compile({ checkpointer });
    const once = async (n: number): Promise<number> => {
      logs.set(n, new StepLog());
      const start = performance.now();
      await app.invoke({ n, count: 0 }, { configurable: { thread_id: `w2-${n}` }, ...durable(mode) });
      const wallMs = performance.now() - start;
      logs.get(n)?.verify(`W2 run ${n}`, shape);
      return wallMs;
    };
    await once(0);
    return { wallMs: await once(1) };
  });
}

async function rfpOnce(mode: Mode): Promise<{ makespan: number }> {
  const logs = new Map<number, StepLog>();
  let graph = builder();
  for (const step of RFP_STEPS) graph = graph.addNode(step.id, sleeperNode(logs, step.id, step.ms));
  for (const step of RFP_STEPS) {
    if (step.after.length === 0) graph = graph.addEdge(START, step.id);
    else if (step.after.length === 1) graph = graph.addEdge(step.after[0]!, step.id);
    else graph = graph.addEdge([...step.after], step.id);
  }
  graph = graph.addEdge('format', END);
  return withSaver(mode, async (checkpointer) => {
    const app = graph.compile({ checkpointer });
    const once = async (n: number): Promise<number> => {
      logs.set(n, new StepLog());
      const start = performance.now();
      await app.invoke({ n, count: 0 }, { configurable: { thread_id: `w3-${n}` }, ...durable(mode) });
      const elapsed = performance.now() - start;
      logs.get(n)?.verify(`W3 run ${n}`, RFP_STEPS);
      return elapsed;
    };
    await once(0);
    return { makespan: await once(1) };
  });
}

async function concurrentOnce(mode: Mode): Promise<MemoryFigures> {
  const counter = new RunCounter(CONCURRENT_RUNS + 1, CONCURRENT_STEPS);
  let graph = builder();
  for (let i = 0; i < CONCURRENT_STEPS; i++) {
    graph = graph.addNode(`t${i}`, async (state: StateType) => {
      await sleep(CONCURRENT_STEP_MS);
      counter.ran(state.n, i);
      return { count: state.count + 1 };
    });
    graph = graph.addEdge(i === 0 ? START : `t${i - 1}`, `t${i}`);
  }
  graph = graph.addEdge(`t${CONCURRENT_STEPS - 1}`, END);
  return withSaver(mode, async (checkpointer, threads) => {
    const app = graph.compile({ checkpointer });
    const one = async (n: number): Promise<number> => {
      const start = performance.now();
      const out = await app.invoke(
        { n, count: 0 },
        { configurable: { thread_id: `w4-${n}` }, ...durable(mode) },
      );
      check(out.count === CONCURRENT_STEPS, `run ${n} counted ${out.count} steps`);
      return performance.now() - start;
    };
    await one(CONCURRENT_RUNS);
    collectGarbage();
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const start = performance.now();
    const durations = await Promise.all(Array.from({ length: CONCURRENT_RUNS }, (_, n) => one(n)));
    const wallMs = performance.now() - start;
    const peak = sampler.stop();
    const least = CONCURRENT_STEPS * (CONCURRENT_STEP_MS - 1);
    durations.forEach((d, n) => check(d >= least, `run ${n} ended too early (${d} ms)`));
    counter.verify('W4', 0, CONCURRENT_RUNS + 1);
    check(
      threads() === CONCURRENT_RUNS + 1,
      `${threads()} threads checkpointed, expected ${CONCURRENT_RUNS + 1}`,
    );
    return { wallMs, rssDeltaMb: (peak - before) / MB, rssPeakMb: peak / MB };
  });
}

/**
 * The engine suite's W1–W4 on LangGraph.js: durable (SqliteSaver on a temp file, checkpoints written
 * synchronously after every step) and in memory (MemorySaver). Every run is checked; a failed check throws.
 */
export async function runLangGraphBench(options: { quick?: boolean } = {}): Promise<BenchResult[]> {
  const times = options.quick === true ? 1 : 3;
  const results: BenchResult[] = [];
  for (const mode of ['durable', 'memory'] as const) {
    const w1 = await medians(times, () => chainOnce(mode));
    const w2 = await medians(times, () => fanOutOnce(mode));
    const w3 = await medians(times, () => rfpOnce(mode));
    const w4 = await medians(times, () => inFreshProcess(fileURLToPath(import.meta.url), mode));
    const label = mode === 'durable' ? 'LangGraph, SqliteSaver (durability sync)' : 'LangGraph, MemorySaver';
    results.push(...peerResults(label, { w1, w2, w3, w4 }, times));
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mode = process.argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length);
  if (process.argv.includes('--workload=w4') && (mode === 'durable' || mode === 'memory')) {
    console.log(JSON.stringify(await concurrentOnce(mode)));
  } else {
    printResults(await runLangGraphBench({ quick: process.argv.includes('--quick') }));
  }
}
