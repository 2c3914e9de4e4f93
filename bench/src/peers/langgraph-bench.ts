import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  Annotation,
  END,
  MemorySaver,
  START,
  StateGraph,
  type BaseCheckpointSaver,
} from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import {
  CHAIN_STEPS,
  CHAIN_WARM_UP_RUNS,
  CONCURRENT_STEP_MS,
  CONCURRENT_STEPS,
  FAN_OUT,
  FAN_OUT_STEP_MS,
  GROWTH_PAYLOAD_BYTES,
  MB,
  RFP_STEPS,
  RunCounter,
  StepLog,
  check,
  collectGarbage,
  drive,
  growthFigures,
  isEntryPoint,
  rssSampler,
  peerContenders,
  runPeerChild,
  type Contender,
  type PeerWorkloads,
  type Figures,
  type MemoryFigures,
} from './common.js';

/** `durable`: checkpoints in SQLite (SqliteSaver on a temp file); `memory`: MemorySaver. */
type Mode = 'durable' | 'memory';

/**
 * The state every graph of this suite carries: the run's number, a count each chain step increments, and (W6)
 * every step's output by step id, so that each stays readable later as Baton's `nodes.<id>.output` does.
 */
const State = Annotation.Root({
  n: Annotation<number>(),
  count: Annotation<number>(),
  outputs: Annotation<Record<string, string>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
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

async function chainOnce(mode: Mode, runs: number): Promise<Figures['w1']> {
  const total = CHAIN_WARM_UP_RUNS + runs;
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
    await drive(CHAIN_WARM_UP_RUNS, runs, one);
    const elapsedMs = performance.now() - start;
    counter.verify('W1', 0, total);
    check(threads() === total, `${threads()} threads checkpointed, expected ${total}`);
    const steps = CHAIN_STEPS * runs;
    return { stepsPerSecond: (steps * 1_000) / elapsedMs, usPerStep: (elapsedMs * 1_000) / steps };
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

async function concurrentOnce(mode: Mode, runs: number): Promise<MemoryFigures> {
  const counter = new RunCounter(runs + 1, CONCURRENT_STEPS);
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
    await one(runs);
    collectGarbage();
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const start = performance.now();
    const durations = await Promise.all(Array.from({ length: runs }, (_, n) => one(n)));
    const wallMs = performance.now() - start;
    const peak = sampler.stop();
    const least = CONCURRENT_STEPS * (CONCURRENT_STEP_MS - 1);
    durations.forEach((d, n) => check(d >= least, `run ${n} ended too early (${d} ms)`));
    counter.verify('W4', 0, runs + 1);
    check(threads() === runs + 1, `${threads()} threads checkpointed, expected ${runs + 1}`);
    return { wallMs, rssDeltaMb: (peak - before) / MB, rssPeakMb: peak / MB };
  });
}

/** W6: one chain of `steps` nodes, each adding a 2 KB output to the state; returns when each step started. */
async function growthOnce(mode: Mode, steps: number): Promise<Figures['w6']> {
  const starts: number[] = [];
  let graph = builder();
  for (let i = 0; i < steps; i++) {
    graph = graph.addNode(`s${i}`, (state: StateType) => {
      starts.push(performance.now());
      return { count: state.count + 1, outputs: { [`s${i}`]: 'x'.repeat(GROWTH_PAYLOAD_BYTES) } };
    });
    graph = graph.addEdge(i === 0 ? START : `s${i - 1}`, `s${i}`);
  }
  graph = graph.addEdge(`s${steps - 1}`, END);
  return withSaver(mode, async (checkpointer) => {
    const app = graph.compile({ checkpointer });
    const out = await app.invoke(
      { n: 0, count: 0 },
      { configurable: { thread_id: 'w6' }, recursionLimit: steps + 10, ...durable(mode) },
    );
    check(out.count === steps, `W6 counted ${out.count} steps, expected ${steps}`);
    check(Object.keys(out.outputs).length === steps, `W6 kept ${Object.keys(out.outputs).length} outputs`);
    return growthFigures(starts);
  });
}

const workloads: PeerWorkloads = {
  chain: chainOnce,
  fanOut: fanOutOnce,
  rfp: rfpOnce,
  concurrent: concurrentOnce,
  growth: growthOnce,
};

/**
 * LangGraph.js running the compared workloads: durable (SqliteSaver on a temp file, each superstep's checkpoint
 * written before the next starts: `durability: 'sync'`) and in memory (MemorySaver). Every run is checked; a
 * failed check throws.
 */
export function langGraphContenders(): Contender[] {
  return peerContenders(
    fileURLToPath(import.meta.url),
    { durable: 'LangGraph.js, SqliteSaver', memory: 'LangGraph.js, MemorySaver' },
    workloads,
  );
}

if (isEntryPoint(import.meta.url)) await runPeerChild('langgraph-bench.js', workloads);
