import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Mastra } from '@mastra/core';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { LibSQLStore } from '@mastra/libsql';
import { z } from 'zod';
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

/** `durable`: LibSQLStore on a temp file; `memory`: no storage given, so Mastra keeps snapshots in memory. */
type Mode = 'durable' | 'memory';

const runSchema = z.object({ n: z.number() });
const countSchema = z.object({ n: z.number(), count: z.number() });
/** Steps after a parallel block take the block's output keyed by step id; they read the run number from it. */
const anySchema = z.record(z.string(), z.unknown());

/** What a workflow built in a loop is typed as: the builder's step types are not followed through the loop. */
type AnyWorkflow = ReturnType<typeof createWorkflow>;

/**
 * Opens a Mastra with `workflows` registered and, in durable mode, a LibSQLStore on a fresh temp file; hands it to
 * `work`, then closes the store and removes the file.
 */
async function withMastra<T>(
  mode: Mode,
  workflows: Record<string, AnyWorkflow>,
  work: (mastra: Mastra) => Promise<T>,
): Promise<T> {
  const dir = mode === 'durable' ? mkdtempSync(join(tmpdir(), 'mastra-bench-')) : undefined;
  try {
    const storage =
      dir === undefined ? undefined : new LibSQLStore({ id: 'bench', url: `file:${join(dir, 'mastra.db')}` });
    const mastra = new Mastra({ workflows, logger: false, ...(storage ? { storage } : {}) });
    try {
      return await work(mastra);
    } finally {
      await mastra.shutdown();
    }
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts the runs of `workflowName` that the storage holds with status `success`. */
async function storedSuccesses(mastra: Mastra, workflowName: string): Promise<number> {
  const store = await mastra.getStorage()?.getStore('workflows');
  check(store !== undefined, 'no workflows storage');
  const { total } = await store.listWorkflowRuns({ workflowName, status: 'success', perPage: 1, page: 0 });
  return total;
}

/** A step that waits `ms` on a timer and records when it started and ended in its run's log. */
function sleeperStep(logs: Map<number, StepLog>, id: string, ms: number) {
  return createStep({
    id,
    inputSchema: anySchema,
    outputSchema: runSchema,
    execute: async (params) => {
      const { n } = params.getInitData<{ n: number }>();
      const end = logs.get(n)?.begin(id);
      check(end !== undefined, `no log for run ${n}`);
      await sleep(ms);
      end();
      return { n };
    },
  });
}

async function chainOnce(mode: Mode, runs: number): Promise<Figures['w1']> {
  const total = CHAIN_WARM_UP_RUNS + runs;
  const counter = new RunCounter(total, CHAIN_STEPS);
  let workflow = createWorkflow({
    id: 'chain',
    inputSchema: countSchema,
    outputSchema: countSchema,
  }) as AnyWorkflow;
  for (let i = 0; i < CHAIN_STEPS; i++) {
    const step = createStep({
      id: `s${i}`,
      inputSchema: countSchema,
      outputSchema: countSchema,
      execute: async ({ inputData }) => {
        counter.ran(inputData.n, i);
        return Promise.resolve({ n: inputData.n, count: inputData.count + 1 });
      },
    });
    workflow = workflow.then(step) as AnyWorkflow;
  }
  workflow.commit();
  return withMastra(mode, { chain: workflow }, async (mastra) => {
    const chain = mastra.getWorkflow('chain');
    const one = async (n: number): Promise<void> => {
      const run = await chain.createRun();
      const result = await run.start({ inputData: { n, count: 0 } });
      check(result.status === 'success', `chain run ${n} ended ${result.status}`);
      const count = (result.result as { count?: unknown } | undefined)?.count;
      check(count === CHAIN_STEPS, `chain run ${n} counted ${String(count)} steps, expected ${CHAIN_STEPS}`);
    };
    await drive(0, CHAIN_WARM_UP_RUNS, one);
    const start = performance.now();
    await drive(CHAIN_WARM_UP_RUNS, runs, one);
    const elapsedMs = performance.now() - start;
    counter.verify('W1', 0, total);
    const stored = await storedSuccesses(mastra, 'chain');
    check(stored === total, `${stored} chain runs succeeded in the store, expected ${total}`);
    const steps = CHAIN_STEPS * runs;
    return { stepsPerSecond: (steps * 1_000) / elapsedMs, usPerStep: (elapsedMs * 1_000) / steps };
  });
}

/** Runs a workflow of sleepers twice (a warm-up, then the measured run) and checks each run's log. */
async function timedTwice(
  mode: Mode,
  workflow: AnyWorkflow,
  logs: Map<number, StepLog>,
  shape: readonly { id: string; after: readonly string[] }[],
): Promise<number> {
  return withMastra(mode, { timed: workflow }, async (mastra) => {
    const timed = mastra.getWorkflow('timed');
    const once = async (n: number): Promise<number> => {
      logs.set(n, new StepLog());
      const start = performance.now();
      const run = await timed.createRun();
      const result = await run.start({ inputData: { n } });
      const elapsed = performance.now() - start;
      check(result.status === 'success', `run ${n} of ${workflow.id} ended ${result.status}`);
      logs.get(n)?.verify(`${workflow.id} run ${n}`, shape);
      return elapsed;
    };
    await once(0);
    const elapsed = await once(1);
    const stored = await storedSuccesses(mastra, workflow.id);
    check(stored === 2, `${stored} runs of ${workflow.id} succeeded in the store, expected 2`);
    return elapsed;
  });
}

async function fanOutOnce(mode: Mode): Promise<{ wallMs: number }> {
  const logs = new Map<number, StepLog>();
  const branches = Array.from({ length: FAN_OUT }, (_, i) => `p${i}`);
  const workflow = (
    createWorkflow({ id: 'fan-out', inputSchema: runSchema, outputSchema: runSchema }) as AnyWorkflow
  )
    .parallel(branches.map((id) => sleeperStep(logs, id, FAN_OUT_STEP_MS)))
    .then(sleeperStep(logs, 'join', 0))
    .commit();
  const shape = [...branches.map((id) => ({ id, after: [] })), { id: 'join', after: branches }];
  return { wallMs: await timedTwice(mode, workflow, logs, shape) };
}

/**
 * The RFP DAG in Mastra's terms: analyze, then in parallel (a nested workflow: extract ∥ research, then
 * draft_technical) and draft_pricing, then legal, then format — the same dependencies as the graph.
 */
async function rfpOnce(mode: Mode): Promise<{ makespan: number }> {
  const logs = new Map<number, StepLog>();
  const step = (id: string): ReturnType<typeof sleeperStep> => {
    const ms = RFP_STEPS.find((s) => s.id === id)?.ms;
    check(ms !== undefined, `no RFP step ${id}`);
    return sleeperStep(logs, id, ms);
  };
  const technical = (
    createWorkflow({ id: 'technical', inputSchema: anySchema, outputSchema: runSchema }) as AnyWorkflow
  )
    .parallel([step('extract'), step('research')])
    .then(step('draft_technical'))
    .commit();
  const workflow = (
    createWorkflow({ id: 'rfp', inputSchema: runSchema, outputSchema: runSchema }) as AnyWorkflow
  )
    .then(step('analyze'))
    .parallel([technical, step('draft_pricing')] as unknown as Parameters<AnyWorkflow['parallel']>[0])
    .then(step('legal'))
    .then(step('format'))
    .commit();
  return { makespan: await timedTwice(mode, workflow, logs, RFP_STEPS) };
}

async function concurrentOnce(mode: Mode, runs: number): Promise<MemoryFigures> {
  const counter = new RunCounter(runs + 1, CONCURRENT_STEPS);
  let workflow = createWorkflow({
    id: 'three',
    inputSchema: countSchema,
    outputSchema: countSchema,
  }) as AnyWorkflow;
  for (let i = 0; i < CONCURRENT_STEPS; i++) {
    const step = createStep({
      id: `t${i}`,
      inputSchema: countSchema,
      outputSchema: countSchema,
      execute: async ({ inputData }) => {
        await sleep(CONCURRENT_STEP_MS);
        counter.ran(inputData.n, i);
        return { n: inputData.n, count: inputData.count + 1 };
      },
    });
    workflow = workflow.then(step) as AnyWorkflow;
  }
  workflow.commit();
  return withMastra(mode, { three: workflow }, async (mastra) => {
    const three = mastra.getWorkflow('three');
    const one = async (n: number): Promise<number> => {
      const start = performance.now();
      const run = await three.createRun();
      const result = await run.start({ inputData: { n, count: 0 } });
      check(result.status === 'success', `run ${n} ended ${result.status}`);
      const count = (result.result as { count?: unknown } | undefined)?.count;
      check(count === CONCURRENT_STEPS, `run ${n} counted ${String(count)} steps`);
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
    const stored = await storedSuccesses(mastra, 'three');
    check(stored === runs + 1, `${stored} runs succeeded in the store, expected ${runs + 1}`);
    return { wallMs, rssDeltaMb: (peak - before) / MB, rssPeakMb: peak / MB };
  });
}

/**
 * W6: one chain of `steps` steps, each returning a 2 KB output. Mastra keeps every step's result in the run's
 * snapshot, so the outputs stay readable later as Baton's `nodes.<id>.output` do.
 */
async function growthOnce(mode: Mode, steps: number): Promise<Figures['w6']> {
  const starts: number[] = [];
  const blobSchema = z.object({ n: z.number(), blob: z.string() });
  let workflow = createWorkflow({
    id: 'growth',
    inputSchema: blobSchema,
    outputSchema: blobSchema,
  }) as AnyWorkflow;
  for (let i = 0; i < steps; i++) {
    const step = createStep({
      id: `s${i}`,
      inputSchema: blobSchema,
      outputSchema: blobSchema,
      execute: async ({ inputData }) => {
        starts.push(performance.now());
        return Promise.resolve({ n: inputData.n + 1, blob: 'x'.repeat(GROWTH_PAYLOAD_BYTES) });
      },
    });
    workflow = workflow.then(step) as AnyWorkflow;
  }
  workflow.commit();
  return withMastra(mode, { growth: workflow }, async (mastra) => {
    const run = await mastra.getWorkflow('growth').createRun();
    const result = await run.start({ inputData: { n: 0, blob: '' } });
    check(result.status === 'success', `W6 ended ${result.status}`);
    const n = (result.result as { n?: unknown } | undefined)?.n;
    check(n === steps, `W6 counted ${String(n)} steps, expected ${steps}`);
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
 * Mastra workflows running the compared workloads: durable (LibSQLStore on a temp file; the run's snapshot is
 * written after every step, awaited) and in memory (no storage given, so Mastra's in-memory store). Every run is
 * checked; a failed check throws.
 */
export function mastraContenders(): Contender[] {
  return peerContenders(
    fileURLToPath(import.meta.url),
    { durable: 'Mastra, LibSQLStore', memory: 'Mastra, in-memory store' },
    workloads,
  );
}

if (isEntryPoint(import.meta.url)) await runPeerChild('mastra-bench.js', workloads);
