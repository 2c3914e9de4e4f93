import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Baton } from '@baton/embedded';
import { MB, bytesWritten, collectGarbage, rssSampler } from '../measure.js';
import {
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
} from '../workloads.js';
import {
  agentDefinition,
  agentNode,
  chain,
  check,
  counter,
  sleeper,
  succeededTasks,
  withBaton,
  workflow,
} from './harness.js';

// W1 — 10-step chains of no-op agents, 50 in flight.
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

async function chainOnce(runs: number): Promise<Figures['w1']> {
  return withBaton([counter], 256, async (baton) => {
    await driveChains(baton, CHAIN_WARM_UP_RUNS);
    const written = bytesWritten();
    const start = performance.now();
    await driveChains(baton, runs);
    const elapsedMs = performance.now() - start;
    const bytes = written === undefined ? undefined : (bytesWritten() ?? NaN) - written;
    const total = CHAIN_WARM_UP_RUNS + runs;
    const completed = await baton.listRuns({ status: 'completed', limit: total + 1 });
    check(completed.length === total, `${completed.length} runs completed in the store, expected ${total}`);
    const steps = CHAIN_STEPS * runs;
    return {
      stepsPerSecond: (steps * 1_000) / elapsedMs,
      usPerStep: (elapsedMs * 1_000) / steps,
      ...(bytes === undefined ? {} : { bytesPerStep: bytes / steps }),
    };
  });
}

// W2 — one run of 50 parallel 10 ms steps, then a join.
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
 * the wall time from the `run` call (which validates the workflow first) and from the moment the run exists in
 * the store, both to its completion.
 */
async function fanOutRun(baton: Baton): Promise<Figures['w2']> {
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
  return { wallMs: end - start, fromCreatedMs: end - created };
}

async function fanOutOnce(): Promise<Figures['w2']> {
  return withBaton([counter, sleeper('bench.sleep10', FAN_OUT_STEP_MS)], 256, async (baton) => {
    await fanOutRun(baton);
    return fanOutRun(baton);
  });
}

// W3 — the RFP-shaped DAG with simulated latencies.
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

async function rfpOnce(): Promise<Figures['w3']> {
  return withBaton(
    RFP_STEPS.map((s) => sleeper(`bench.${s.id}`, s.ms)),
    256,
    async (baton) => {
      await rfpRun(baton);
      return { makespan: await rfpRun(baton) };
    },
  );
}

// W4 — concurrent runs of three 50 ms steps.
/** High enough that every run's current step has its own slot: the timers of all runs overlap. */
const HIGH_CONCURRENCY = 10_000;

const threeSteps = chain('t', CONCURRENT_STEPS);
const threeStepWorkflow = workflow(
  'bench-three-steps',
  threeSteps.ids.map((id) => agentNode(id, 'bench.sleep50')),
  threeSteps.edges,
);

async function concurrentOnce(runCount: number): Promise<MemoryFigures> {
  return withBaton([sleeper('bench.sleep50', CONCURRENT_STEP_MS)], HIGH_CONCURRENCY, async (baton) => {
    const parsed = baton.parseWorkflow(threeStepWorkflow);
    // One run first, so the workflow version is saved and the code paths are warm.
    check((await baton.run(parsed)).status === 'completed', 'the warm-up run did not complete');
    collectGarbage();
    const before = process.memoryUsage().rss;
    const sampler = rssSampler();
    const start = performance.now();
    const runs = await Promise.all(Array.from({ length: runCount }, async () => baton.run(parsed)));
    const wallMs = performance.now() - start;
    const peak = sampler.stop();
    // Each run took at least its three timers one after another (1 ms of slack for the millisecond clock each).
    const least = CONCURRENT_STEPS * (CONCURRENT_STEP_MS - 1);
    for (const run of runs) {
      check(run.status === 'completed', `run ${run.id} ended ${run.status}`);
      check((run.endedAt ?? 0) - (run.startedAt ?? Infinity) >= least, `run ${run.id} ended too early`);
    }
    check(new Set(runs.map((r) => r.id)).size === runCount, 'fewer distinct runs than started');
    const completed = await baton.listRuns({ status: 'completed', limit: runCount + 2 });
    check(completed.length === runCount + 1, `${completed.length} runs completed in the store`);
    const sample = runs[runs.length >> 1];
    if (sample) await succeededTasks(baton, sample, CONCURRENT_STEPS);
    return { wallMs, rssDeltaMb: (peak - before) / MB, rssPeakMb: peak / MB };
  });
}

// W6 — one run whose every step adds 2 KB to the context (every output stays readable as nodes.<id>.output).
async function growthOnce(steps: number): Promise<Figures['w6']> {
  const starts: number[] = [];
  const grow = {
    definition: agentDefinition('bench.grow', 0),
    handler: (input: Record<string, unknown>) => {
      starts.push(performance.now());
      return { n: Number(input['n']) + 1, blob: 'x'.repeat(GROWTH_PAYLOAD_BYTES) };
    },
  };
  return withBaton([grow], 256, async (baton) => {
    const ids = Array.from({ length: steps }, (_, i) => `s${i}`);
    const run = await baton.run({
      id: 'state-growth',
      name: 'State growth',
      version: '1.0.0',
      nodes: ids.map((id, i) =>
        agentNode(id, 'bench.grow', { n: i === 0 ? 0 : `{{ nodes.s${i - 1}.output.n }}` }),
      ),
      edges: ids.slice(1).map((to, i) => ({ from: ids[i] ?? '', to })),
      outputs: { n: { value: `nodes.s${steps - 1}.output.n` } },
    });
    check(run.status === 'completed' && run.output?.['n'] === steps, `W6 ended ${run.status}`);
    check(starts.length === steps, `W6 ran ${starts.length} steps, expected ${steps}`);
    return growthFigures(starts);
  });
}

const script = fileURLToPath(import.meta.url);

/** Baton embedded on SQLite (WAL, synchronous=NORMAL): a step's result is committed before the next starts. */
export function batonContender(): Contender {
  return {
    label: 'Baton, SQLite',
    durable: true,
    run: {
      w1: (sizes) => chainOnce(sizes.chainRuns),
      w2: fanOutOnce,
      w3: rfpOnce,
      w4: (sizes) => inFreshProcess(script, ['--workload=w4', `--runs=${sizes.concurrentRuns}`]),
      w6: (sizes) => growthOnce(sizes.growthSteps),
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  if (argument('workload') !== 'w4') throw new Error('usage: compared.js --workload=w4 --runs=N');
  console.log(JSON.stringify(await concurrentOnce(Number(argument('runs') ?? 2_000))));
}
