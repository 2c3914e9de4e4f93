import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunRecord } from '@baton/core';
import type { Baton } from '@baton/embedded';
import { MB, collectGarbage, median, round, type BenchResult } from '../measure.js';
import { RFP_CRITICAL_PATH_MS, RFP_STEPS } from '../workloads.js';
import { agentNode, check, sleeper, succeededTasks, withBaton, workflow } from './harness.js';

/** The spec's load tests, on the RFP-shaped DAG of W3 (seven agent executions a run) unless said otherwise. */
const rfpWorkflow = workflow(
  'load-rfp',
  RFP_STEPS.map((s) => agentNode(s.id, `load.${s.id}`)),
  RFP_STEPS.flatMap((s) => s.after.map((from) => ({ from, to: s.id }))),
);
const rfpAgents = RFP_STEPS.map((s) => sleeper(`load.${s.id}`, s.ms));

const duration = (run: RunRecord): number => (run.endedAt ?? NaN) - run.createdAt;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function checkedRun(baton: Baton, parsed: ReturnType<Baton['parseWorkflow']>): Promise<RunRecord> {
  const run = await baton.run(parsed);
  check(run.status === 'completed', `run ${run.id} ended ${run.status}: ${run.error?.message ?? ''}`);
  return run;
}

/** "The system handles 100 concurrent workflows": 100 RFP runs at once, each checked. */
async function concurrentWorkflows(): Promise<BenchResult[]> {
  return withBaton(rfpAgents, 256, async (baton) => {
    const parsed = baton.parseWorkflow(rfpWorkflow);
    await checkedRun(baton, parsed);
    const start = performance.now();
    const runs = await Promise.all(Array.from({ length: 100 }, () => checkedRun(baton, parsed)));
    const wallMs = performance.now() - start;
    await Promise.all(runs.map((r) => succeededTasks(baton, r, RFP_STEPS.length)));
    const p95 = percentile(runs.map(duration), 95);
    const name = 'load: 100 concurrent RFP workflows';
    return [
      { name: `${name}, wall time`, value: round(wallMs, 0), unit: 'ms', budget: '—', met: true },
      {
        name: `${name}, p95 run time ÷ critical path`,
        value: round(p95 / RFP_CRITICAL_PATH_MS, 3),
        unit: '×',
        budget: '≤ 1.1 ×',
        met: p95 / RFP_CRITICAL_PATH_MS <= 1.1,
      },
    ];
  });
}

/**
 * "1,000+ agent executions per hour", sustained at 100 × that rate: RFP runs started on a fixed schedule so that
 * 100,000 agent executions an hour are asked for, for `seconds`. Reports the rate achieved, run latency
 * percentiles and how memory moved from the first minute to the end (a leak shows there).
 */
async function sustainedRate(seconds: number): Promise<BenchResult[]> {
  const perHour = 100_000;
  const runsPerSecond = perHour / 3_600 / RFP_STEPS.length;
  return withBaton(rfpAgents, 256, async (baton) => {
    const parsed = baton.parseWorkflow(rfpWorkflow);
    await checkedRun(baton, parsed);
    collectGarbage();
    const rssStart = process.memoryUsage().rss;
    const runs: Promise<RunRecord>[] = [];
    const start = performance.now();
    const total = Math.round(seconds * runsPerSecond);
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1_000) / runsPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      runs.push(checkedRun(baton, parsed));
    }
    const done = await Promise.all(runs);
    const elapsedS = (performance.now() - start) / 1_000;
    collectGarbage();
    const rssEnd = process.memoryUsage().rss;
    const executions = done.length * RFP_STEPS.length;
    const achieved = (executions / elapsedS) * 3_600;
    const durations = done.map(duration);
    const name = `load: ${perHour.toLocaleString('en-US')} agent executions/h asked for ${round(seconds / 60, 1)} min`;
    return [
      {
        name: `${name}, executions/h achieved (${executions.toLocaleString('en-US')} in all)`,
        value: round(achieved, 0),
        unit: '/h',
        budget: `≥ ${(perHour * 0.98).toLocaleString('en-US')} /h`,
        met: achieved >= perHour * 0.98,
      },
      {
        name: `${name}, run time p50 ÷ critical path`,
        value: round(median(durations) / RFP_CRITICAL_PATH_MS, 3),
        unit: '×',
        budget: '—',
        met: true,
      },
      {
        name: `${name}, run time p99 ÷ critical path`,
        value: round(percentile(durations, 99) / RFP_CRITICAL_PATH_MS, 3),
        unit: '×',
        budget: '≤ 1.1 ×',
        met: percentile(durations, 99) / RFP_CRITICAL_PATH_MS <= 1.1,
      },
      {
        name: `${name}, RSS change from start to end`,
        value: round((rssEnd - rssStart) / MB, 1),
        unit: 'MB',
        budget: '≤ 20 MB',
        met: rssEnd - rssStart <= 20 * MB,
      },
    ];
  });
}

/** "One workflow of 60 agents": six layers of ten 20 ms agents, each depending on two of the layer before. */
async function sixtyAgents(): Promise<BenchResult[]> {
  const LAYERS = 6;
  const WIDTH = 10;
  const STEP_MS = 20;
  const id = (layer: number, i: number): string => `a${layer}_${i}`;
  const nodes: Record<string, unknown>[] = [];
  const edges: { from: string; to: string }[] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let i = 0; i < WIDTH; i++) {
      nodes.push(agentNode(id(layer, i), 'load.step20'));
      if (layer > 0) {
        edges.push({ from: id(layer - 1, i), to: id(layer, i) });
        edges.push({ from: id(layer - 1, (i + 1) % WIDTH), to: id(layer, i) });
      }
    }
  }
  return withBaton([sleeper('load.step20', STEP_MS)], 256, async (baton) => {
    const parsed = baton.parseWorkflow(workflow('load-sixty', nodes, edges));
    await checkedRun(baton, parsed);
    const start = performance.now();
    const run = await checkedRun(baton, parsed);
    const makespan = performance.now() - start;
    const tasks = await succeededTasks(baton, run, LAYERS * WIDTH);
    for (const edge of edges) {
      const started = tasks.get(edge.to)?.startedAt ?? -Infinity;
      check(started >= (tasks.get(edge.from)?.endedAt ?? Infinity), `${edge.to} started before ${edge.from}`);
    }
    const critical = LAYERS * STEP_MS;
    return [
      {
        name: `load: one workflow of ${LAYERS * WIDTH} agents (${LAYERS} layers × ${WIDTH}, ${STEP_MS} ms each), makespan ÷ critical path`,
        value: round(makespan / critical, 3),
        unit: '×',
        budget: '≤ 1.1 ×',
        met: makespan / critical <= 1.1,
      },
    ];
  });
}

/** The spec's load tests; `quick` sustains the rate for 10 s instead of 10 min. */
export async function runLoadBench(options: { quick?: boolean } = {}): Promise<BenchResult[]> {
  return [
    ...(await concurrentWorkflows()),
    ...(await sustainedRate(options.quick === true ? 10 : 600)),
    ...(await sixtyAgents()),
  ];
}
