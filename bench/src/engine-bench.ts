import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { AgentDefinitionInput, RunRecord, TaskRecord } from '@baton/core';
import { createBaton, type AgentFunction, type AgentRegistration, type Baton } from '@baton/embedded';
import { MB, collectGarbage, medians, round, rssSampler, type BenchResult } from './measure.js';

/** Options of the engine suite. */
export interface EngineBenchOptions {
  /** One repetition per workload instead of three (the median is reported either way). */
  quick?: boolean;
}

const run = promisify(execFile);

/** A `function` agent that does no work of its own: the engine, the store and the queue are what is measured. */
function agentDefinition(id: string, ms: number): AgentDefinitionInput {
  return {
    id,
    name: id,
    version: '1.0.0',
    kind: 'function',
    capabilities: { domain: 'operations', skills: ['benchmark'] },
    // Declared latency feeds the critical-path rank of the queue, as measured latencies would.
    performance: { avgLatency: ms, successRate: 100, reliability: 100, throughput: 1e3, costPerExecution: 0 },
    config: { maxConcurrency: 1e5, timeout: 6e4, retryPolicy: { maxRetries: 0, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

/** An agent that waits `ms` on a timer (a simulated model call) and reports that it ran. */
function sleeper(id: string, ms: number): { definition: AgentDefinitionInput; handler: AgentFunction } {
  return { definition: agentDefinition(id, ms), handler: () => sleep(ms, { done: true }) };
}

/** A workflow document in graph form. */
function workflow(
  id: string,
  nodes: unknown[],
  edges: { from: string; to: string; port?: string }[],
  outputs: Record<string, { value: string }> = {},
): Record<string, unknown> {
  return { id, name: id, version: '1.0.0', nodes, edges, outputs };
}

/** An agent node of a workflow document. */
const agentNode = (
  id: string,
  agent: string,
  inputs: Record<string, unknown> = {},
): Record<string, unknown> => ({
  id,
  type: 'agent',
  agent: { id: agent },
  inputs,
});

/** `count` node ids `prefix0`… and the edges that chain them in that order. */
function chain(prefix: string, count: number): { ids: string[]; edges: { from: string; to: string }[] } {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  return { ids, edges: ids.slice(1).map((to, i) => ({ from: ids[i]!, to })) };
}

/** Opens an embedded Baton in a fresh temp directory, hands it to `work`, then closes it and removes the directory. */
async function withBaton<T>(
  agents: readonly AgentRegistration[],
  concurrency: number,
  work: (baton: Baton) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-engine-bench-'));
  try {
    const baton = await createBaton({ dataDir, agents, concurrency });
    try {
      return await work(baton);
    } finally {
      await baton.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`engine bench: ${message}`);
}

/** Every task of the run, checked to have succeeded; returns them by node id. */
async function succeededTasks(
  baton: Baton,
  run: RunRecord,
  expected: number,
): Promise<Map<string, TaskRecord>> {
  check(run.status === 'completed', `run ${run.id} ended ${run.status}: ${run.error?.message ?? ''}`);
  const details = await baton.getRun(run.id);
  check(details !== undefined, `run ${run.id} is not in the store`);
  const tasks = new Map(details.tasks.map((t) => [t.nodeId, t]));
  check(tasks.size === expected, `run ${run.id} has ${tasks.size} tasks, expected ${expected}`);
  for (const task of tasks.values())
    check(task.status === 'succeeded', `task ${task.key} of run ${run.id} is ${task.status}`);
  return tasks;
}

// W1 — 10-step chains of no-op agents, 1,000 runs, 50 in flight.
const CHAIN_STEPS = 10;
const CHAIN_RUNS = 1_000;
/** Run before the timing in the same data directory: the workflow is saved and the code paths are warm. */
const CHAIN_WARM_UP_RUNS = 100;
const IN_FLIGHT = 50;

const chainSteps = chain('s', CHAIN_STEPS);
const chainWorkflow = workflow(
  'bench-chain',
  chainSteps.ids.map((id, i) =>
    agentNode(id, 'bench.count', {
      count: i === 0 ? 0 : `{{ nodes.${chainSteps.ids[i - 1]}.output.count }}`,
    }),
  ),
  chainSteps.edges,
  { steps: { value: `nodes.${chainSteps.ids.at(-1)}.output.count` } },
);

/** Each step adds one to the count it is given, so a chain's output counts the steps that ran in order. */
const counter: AgentRegistration = {
  definition: agentDefinition('bench.count', 0),
  handler: (input) => ({ count: Number(input['count']) + 1 }),
};

/** Runs `runs` chains keeping `IN_FLIGHT` in flight; every run is checked to have counted all its steps. */
async function driveChains(baton: Baton, runs: number): Promise<void> {
  const parsed = baton.parseWorkflow(chainWorkflow);
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < runs) {
      started++;
      const run = await baton.run(parsed);
      check(run.status === 'completed', `chain run ${run.id} ended ${run.status}`);
      check(
        run.output?.['steps'] === CHAIN_STEPS,
        `chain run ${run.id} counted ${String(run.output?.['steps'])} steps, expected ${CHAIN_STEPS}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, runs) }, lane));
}

async function chainOnce(): Promise<{ stepsPerSecond: number; usPerStep: number }> {
  return withBaton([counter], 256, async (baton) => {
    await driveChains(baton, CHAIN_WARM_UP_RUNS);
    const start = performance.now();
    await driveChains(baton, CHAIN_RUNS);
    const elapsedMs = performance.now() - start;
    const total = CHAIN_WARM_UP_RUNS + CHAIN_RUNS;
    const completed = await baton.listRuns({ status: 'completed', limit: total + 1 });
    check(completed.length === total, `${completed.length} runs completed in the store, expected ${total}`);
    const steps = CHAIN_STEPS * CHAIN_RUNS;
    return { stepsPerSecond: (steps * 1_000) / elapsedMs, usPerStep: (elapsedMs * 1_000) / steps };
  });
}

// W2 — one run of 50 parallel 10 ms steps, then a join.
const FAN_OUT = 50;
const FAN_OUT_STEP_MS = 10;

const fanOutWorkflow = workflow(
  'bench-fan-out',
  [
    ...Array.from({ length: FAN_OUT }, (_, i) => agentNode(`p${i}`, 'bench.sleep10')),
    agentNode('join', 'bench.count', { count: 0 }),
  ],
  Array.from({ length: FAN_OUT }, (_, i) => ({ from: `p${i}`, to: 'join' })),
);

/**
 * Runs the fan-out once; checks that all 50 branches ran and the join started after the last of them. Returns
 * the wall time from the `startRun` call (which validates the workflow first) and from the moment the run
 * exists in the store, both to its completion.
 */
async function fanOutRun(baton: Baton): Promise<{ callMs: number; runMs: number }> {
  let created: number | undefined;
  const stop = baton.subscribe('*', (event) => {
    if (event.type === 'run.created' && created === undefined) created = performance.now();
  });
  const start = performance.now();
  const run = await baton.run(fanOutWorkflow);
  const end = performance.now();
  stop();
  check(created !== undefined, 'no run.created event was published');
  const tasks = await succeededTasks(baton, run, FAN_OUT + 1);
  const join = tasks.get('join');
  const lastBranch = Math.max(
    ...[...tasks.values()].filter((t) => t !== join).map((t) => t.endedAt ?? Infinity),
  );
  check((join?.startedAt ?? -Infinity) >= lastBranch, 'the join started before every branch had ended');
  return { callMs: end - start, runMs: end - created };
}

async function fanOutOnce(): Promise<{ callMs: number; runMs: number }> {
  return withBaton([counter, sleeper('bench.sleep10', FAN_OUT_STEP_MS)], 256, async (baton) => {
    await fanOutRun(baton);
    return fanOutRun(baton);
  });
}

// W3 — the RFP-shaped DAG with simulated latencies.
const RFP_STEPS: { id: string; ms: number; after: string[] }[] = [
  { id: 'analyze', ms: 50, after: [] },
  { id: 'extract', ms: 90, after: ['analyze'] },
  { id: 'research', ms: 60, after: ['analyze'] },
  { id: 'draft_pricing', ms: 45, after: ['analyze'] },
  { id: 'draft_technical', ms: 90, after: ['extract', 'research'] },
  { id: 'legal', ms: 100, after: ['draft_technical', 'draft_pricing'] },
  { id: 'format', ms: 30, after: ['legal'] },
];
const RFP_CRITICAL_PATH_MS = 50 + 90 + 90 + 100 + 30;
const RFP_SERIAL_MS = RFP_STEPS.reduce((sum, s) => sum + s.ms, 0);

const rfpWorkflow = workflow(
  'bench-rfp',
  RFP_STEPS.map((s) => agentNode(s.id, `bench.${s.id}`)),
  RFP_STEPS.flatMap((s) => s.after.map((from) => ({ from, to: s.id }))),
);

/** Runs the DAG once; checks every step ran and none started before the steps it depends on had ended. */
async function rfpRun(baton: Baton): Promise<number> {
  const start = performance.now();
  const run = await baton.run(rfpWorkflow);
  const elapsedMs = performance.now() - start;
  const tasks = await succeededTasks(baton, run, RFP_STEPS.length);
  for (const step of RFP_STEPS) {
    for (const before of step.after) {
      const started = tasks.get(step.id)?.startedAt ?? -Infinity;
      check(started >= (tasks.get(before)?.endedAt ?? Infinity), `${step.id} started before ${before} ended`);
    }
  }
  return elapsedMs;
}

async function rfpOnce(): Promise<{ makespan: number }> {
  return withBaton(
    RFP_STEPS.map((s) => sleeper(`bench.${s.id}`, s.ms)),
    256,
    async (baton) => {
      await rfpRun(baton);
      return { makespan: await rfpRun(baton) };
    },
  );
}

// W4 — 2,000 concurrent runs of three 50 ms steps.
const CONCURRENT_RUNS = 2_000;
const CONCURRENT_STEP_MS = 50;
const CONCURRENT_STEPS = 3;
/** High enough that every run's current step has its own slot: the timers of all runs overlap. */
const HIGH_CONCURRENCY = 10_000;

const threeSteps = chain('t', CONCURRENT_STEPS);
const threeStepWorkflow = workflow(
  'bench-three-steps',
  threeSteps.ids.map((id) => agentNode(id, 'bench.sleep50')),
  threeSteps.edges,
);

async function concurrentOnce(): Promise<{ wallMs: number; rssDeltaMb: number; rssPeakMb: number }> {
  return withBaton([sleeper('bench.sleep50', CONCURRENT_STEP_MS)], HIGH_CONCURRENCY, async (baton) => {
    const parsed = baton.parseWorkflow(threeStepWorkflow);
    // One run first, so the workflow version is saved and the code paths are warm.
    check((await baton.run(parsed)).status === 'completed', 'the warm-up run did not complete');
    collectGarbage();
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const start = performance.now();
    const runs = await Promise.all(Array.from({ length: CONCURRENT_RUNS }, async () => baton.run(parsed)));
    const wallMs = performance.now() - start;
    const peak = sampler.stop();
    // Each run took at least its three timers one after another (1 ms of slack for the millisecond clock each).
    const least = CONCURRENT_STEPS * (CONCURRENT_STEP_MS - 1);
    for (const run of runs) {
      check(run.status === 'completed', `run ${run.id} ended ${run.status}`);
      check((run.endedAt ?? 0) - (run.startedAt ?? Infinity) >= least, `run ${run.id} ended too early`);
    }
    check(new Set(runs.map((r) => r.id)).size === CONCURRENT_RUNS, 'fewer distinct runs than started');
    const completed = await baton.listRuns({ status: 'completed', limit: CONCURRENT_RUNS + 2 });
    check(completed.length === CONCURRENT_RUNS + 1, `${completed.length} runs completed in the store`);
    const sample = runs[runs.length >> 1];
    if (sample) await succeededTasks(baton, sample, CONCURRENT_STEPS);
    return { wallMs, rssDeltaMb: (peak - before) / MB, rssPeakMb: peak / MB };
  });
}

// W5 — 10,000 runs waiting on an approval.
const WAITING_RUNS = 10_000;

const approvalWorkflow = workflow(
  'bench-approval',
  [
    { id: 'ask', type: 'approval', assignee: 'role:manager', message: 'Approve {{ input.n }}?' },
    { id: 'done', type: 'transform', set: { approved: 'true' } },
  ],
  [{ from: 'ask', to: 'done', port: 'approved' }],
);

async function waitingOnce(): Promise<{ rssDeltaMb: number; rssMb: number }> {
  return withBaton([], 256, async (baton) => {
    const parsed = baton.parseWorkflow(approvalWorkflow);
    collectGarbage();
    const before = process.memoryUsage().rss;
    let requested = 0;
    let allRequested: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (allRequested = resolve));
    const stop = baton.subscribe('*', (event) => {
      if (event.type === 'approval.requested' && ++requested === WAITING_RUNS) allRequested();
    });
    // Started in slices of 500 so the start calls themselves do not pile up as pending promises.
    const slice = (from: number): Promise<RunRecord>[] =>
      Array.from({ length: 500 }, async (_, k) => baton.startRun(parsed, { n: from + k }));
    for (let i = 0; i < WAITING_RUNS; i += 500) await Promise.all(slice(i));
    await waiting;
    stop();
    // Let the last commit settle, then count live memory only.
    await sleep(20);
    collectGarbage();
    const after = process.memoryUsage().rss;
    const stored = await baton.listRuns({ status: 'waiting', limit: WAITING_RUNS + 1 });
    check(
      stored.length === WAITING_RUNS,
      `${stored.length} runs wait in the store, expected ${WAITING_RUNS}`,
    );
    return { rssDeltaMb: (after - before) / MB, rssMb: after / MB };
  });
}

/**
 * DESIGN §7's engine workloads, end to end through `createBaton` on SQLite (WAL, synchronous=NORMAL) in a fresh
 * temp directory per repetition: W1 chain throughput, W2 fan-out, W3 the RFP-shaped DAG, W4 2,000 concurrent
 * runs, W5 10,000 runs waiting on approvals. Every run is checked to have done the right work; a failed check
 * throws. Reports the median of three repetitions (one with `quick`).
 */
export async function runEngineBench(options: EngineBenchOptions = {}): Promise<BenchResult[]> {
  const times = options.quick === true ? 1 : 3;
  const of = times === 1 ? '1 run' : `median of ${times}`;
  const results: BenchResult[] = [];
  /** Records a figure held to an upper (≤) or lower (≥) bound; the check uses the unrounded value. */
  const figure = (
    name: string,
    value: number,
    unit: string,
    bound: '≤' | '≥',
    limit: number,
    digits = 1,
  ): void => {
    const met = bound === '≤' ? value <= limit : value >= limit;
    const budget = `${bound} ${limit.toLocaleString('en-US')} ${unit}`;
    results.push({ name: `${name} (${of})`, value: round(value, digits), unit, budget, met });
  };

  const w1 = await medians(times, chainOnce);
  const chains = `W1 chain: ${CHAIN_STEPS}-step runs × ${CHAIN_RUNS.toLocaleString('en-US')}, ${IN_FLIGHT} in flight`;
  figure(`${chains}, throughput`, w1.stepsPerSecond, 'steps/s', '≥', 15_000, 0);
  figure(`${chains}, time per step`, w1.usPerStep, 'µs', '≤', 70);

  const w2 = await medians(times, fanOutOnce);
  const fanOut = `W2 fan-out: ${FAN_OUT} × ${FAN_OUT_STEP_MS} ms steps + join, wall time`;
  figure(`${fanOut} from the startRun call`, w2.callMs, 'ms', '≤', 12, 2);
  figure(`${fanOut} from run.created`, w2.runMs, 'ms', '≤', 12, 2);

  const { makespan } = await medians(times, rfpOnce);
  const rfp = `W3 RFP DAG (critical path ${RFP_CRITICAL_PATH_MS} ms, all steps in a row ${RFP_SERIAL_MS} ms)`;
  figure(`${rfp}: makespan ÷ critical path`, makespan / RFP_CRITICAL_PATH_MS, '×', '≤', 1.02, 3);
  figure(`${rfp}: makespan`, makespan, 'ms', '≤', round(RFP_CRITICAL_PATH_MS * 1.02, 1));
  const speedup = RFP_SERIAL_MS / (RFP_CRITICAL_PATH_MS * 1.02);
  figure(`${rfp}: speedup over all steps in a row`, RFP_SERIAL_MS / makespan, '×', '≥', speedup, 2);

  const w4 = await medians(times, () => inFreshProcess('w4'));
  const concurrent = `W4: ${CONCURRENT_RUNS.toLocaleString('en-US')} concurrent runs of ${CONCURRENT_STEPS} × ${CONCURRENT_STEP_MS} ms steps`;
  figure(`${concurrent}, wall time`, w4.wallMs, 'ms', '≤', 450, 0);
  figure(`${concurrent}, peak RSS above the RSS before`, w4.rssDeltaMb, 'MB', '≤', 150);
  figure(`${concurrent}, peak RSS of the process`, w4.rssPeakMb, 'MB', '≤', 150);

  const w5 = await medians(times, () => inFreshProcess('w5'));
  const waiting = `W5: ${WAITING_RUNS.toLocaleString('en-US')} runs waiting on an approval`;
  figure(`${waiting}, RSS above the RSS before`, w5.rssDeltaMb, 'MB', '≤', 100);
  figure(`${waiting}, RSS of the process`, w5.rssMb, 'MB', '≤', 100);
  return results;
}

/** The workloads whose memory is measured, each run in a process of its own. */
const MEMORY_WORKLOADS = { w4: concurrentOnce, w5: waitingOnce } as const;

/**
 * Runs a memory workload in a fresh Node process (this file with `--workload`), so that its RSS counts Baton and
 * that workload only, not what earlier workloads left in this process's heap.
 */
async function inFreshProcess<K extends keyof typeof MEMORY_WORKLOADS>(
  workload: K,
): Promise<Awaited<ReturnType<(typeof MEMORY_WORKLOADS)[K]>>> {
  const { stdout } = await run(process.execPath, [fileURLToPath(import.meta.url), `--workload=${workload}`], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Awaited<
    ReturnType<(typeof MEMORY_WORKLOADS)[K]>
  >;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = process.argv.find((a) => a.startsWith('--workload='))?.slice('--workload='.length);
  if (only === 'w4' || only === 'w5') {
    console.log(JSON.stringify(await MEMORY_WORKLOADS[only]()));
  } else {
    const results = await runEngineBench({ quick: process.argv.includes('--quick') });
    console.log('| workload | result | budget | status |');
    console.log('|---|---|---|---|');
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.value.toLocaleString('en-US')} ${r.unit} | ${r.budget} | ${r.met ? 'met' : 'MISSED'} |`,
      );
    }
  }
}
