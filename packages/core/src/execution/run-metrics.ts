import type { Workflow } from '../model/workflow-schema.js';
import { compileWorkflow, type NodeInfo } from './compiled-workflow.js';
import { FINAL_RUN_STATUSES, SETTLED_TASK_STATUSES, type RunStatus, type TaskStatus } from './lifecycle.js';
import type { RunRecord, TaskRecord } from './records.js';

/** One task in a run's execution trace (the Gantt view). */
export interface ExecutionTraceEntry {
  taskId: string;
  nodeId: string;
  /** `id@version` for agent tasks; the node type (`transform`, `approval`, …) for the others. */
  agentId: string;
  attempt: number;
  startTime: number;
  endTime?: number;
  status: TaskStatus;
  inputs: unknown;
  outputs?: unknown;
  error?: string;
}

/**
 * The spec's `WorkflowExecutionMetrics` (FR-019.6) for one run. Times are milliseconds since the epoch and
 * durations milliseconds, as everywhere in the engine; rates and efficiencies are percentages (0–100).
 */
export interface WorkflowExecutionMetrics {
  workflowId: string;
  executionId: string;
  status: RunStatus;
  progress: {
    /** Tasks created so far, plus the top-level nodes not reached yet while the run is open. */
    totalTasks: number;
    /** Succeeded or skipped. */
    completedTasks: number;
    failedTasks: number;
    /** Running or waiting. */
    runningTasks: number;
    percentComplete: number;
  };
  startTime: number;
  endTime?: number;
  duration: number;
  /** The longest planned path still ahead (critical-path ranks of the open tasks, less what they already ran). */
  estimatedTimeRemaining?: number;
  performance: {
    /** Mean duration of the tasks that started and ended (containers excluded). */
    avgTaskLatency: number;
    /** The longest chain of actual durations along the top-level edges. */
    criticalPathDuration: number;
    /** Sum of task durations / (wall time × most tasks at once), as a percentage. */
    parallelizationEfficiency: number;
    /** Share of the wall time during which at least one agent was working. */
    agentUtilization: number;
  };
  cost: { total: number; byAgent: { agentId: string; cost: number }[]; estimatedTotal?: number };
  quality: {
    /** Of the tasks that ran to an end: succeeded. */
    successRate: number;
    /** Of the tasks that ran to an end: failed (handled failures included). */
    errorRate: number;
    /** Retries among all attempts started. */
    retryRate: number;
    /** Approval tasks among the tasks that started. */
    humanInterventionRate: number;
  };
  executionTrace: ExecutionTraceEntry[];
}

/** `part / whole` as a percentage with two decimals; 0 when `whole` is 0. */
function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 100 : 0;
}

/** Computes a run's metrics from its rows; pure, O(tasks log tasks). */
export function runMetrics(
  workflow: Workflow,
  run: RunRecord,
  tasks: readonly TaskRecord[],
  now: number,
): WorkflowExecutionMetrics {
  const compiled = compileWorkflow(workflow);
  const infoOf = (task: TaskRecord): NodeInfo | undefined => compiled.nodes.get(task.nodeId);
  const final = FINAL_RUN_STATUSES.has(run.status);
  const leaves = tasks.filter((t) => !infoOf(t)?.container);
  const started = leaves.filter((t) => t.startedAt !== undefined);
  const startTime = run.startedAt ?? run.createdAt;
  const end = run.endedAt ?? now;
  const duration = run.startedAt === undefined ? 0 : Math.max(0, end - startTime);
  const span = (t: TaskRecord): [number, number] => [t.startedAt ?? 0, t.endedAt ?? (final ? end : now)];

  const count = (...statuses: TaskStatus[]): number =>
    tasks.filter((t) => statuses.includes(t.status)).length;
  const created = new Set(tasks.map((t) => t.key));
  const unreached = final ? 0 : compiled.top.nodes.filter((n) => !created.has(n.id)).length;
  const totalTasks = tasks.length + unreached;
  const settled = tasks.filter((t) => SETTLED_TASK_STATUSES.has(t.status)).length;

  const ended = started.filter(
    (t) => t.endedAt !== undefined && (t.status === 'succeeded' || t.status === 'failed'),
  );
  const latencies = ended.map((t) => (t.endedAt ?? 0) - (t.startedAt ?? 0));
  const busy = started.map(span);
  const work = busy.reduce((sum, [s, e]) => sum + Math.max(0, e - s), 0);
  const attempts = started.reduce((sum, t) => sum + t.attempt, 0);

  const metrics: WorkflowExecutionMetrics = {
    workflowId: run.workflowId,
    executionId: run.id,
    status: run.status,
    progress: {
      totalTasks,
      completedTasks: count('succeeded', 'skipped'),
      failedTasks: count('failed'),
      runningTasks: count('running', 'waiting'),
      percentComplete: run.status === 'completed' ? 100 : percent(settled, totalTasks),
    },
    startTime,
    duration,
    performance: {
      avgTaskLatency: latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0,
      criticalPathDuration: criticalPathDuration(compiled.top.order, tasks, span),
      parallelizationEfficiency: percent(work, duration * maxOverlap(busy)),
      agentUtilization: percent(
        unionLength(started.filter((t) => t.agent !== undefined).map(span)),
        duration,
      ),
    },
    cost: { total: run.costUsd, byAgent: costByAgent(tasks) },
    quality: {
      successRate: percent(ended.filter((t) => t.status === 'succeeded').length, ended.length),
      errorRate: percent(ended.filter((t) => t.status === 'failed').length, ended.length),
      retryRate: percent(attempts - started.length, attempts),
      humanInterventionRate: percent(
        started.filter((t) => infoOf(t)?.node.type === 'approval').length,
        started.length,
      ),
    },
    executionTrace: trace(started, infoOf),
  };
  if (run.endedAt !== undefined) metrics.endTime = run.endedAt;
  if (!final) metrics.estimatedTimeRemaining = remaining(tasks, infoOf, compiled.top.nodes, now);
  return metrics;
}

/** Longest chain of actual durations through the top-level tasks, following the workflow's edges. */
function criticalPathDuration(
  order: readonly NodeInfo[],
  tasks: readonly TaskRecord[],
  span: (t: TaskRecord) => [number, number],
): number {
  const top = new Map(
    tasks.filter((t) => t.key === t.nodeId && t.startedAt !== undefined).map((t) => [t.key, t]),
  );
  const longest = new Map<string, number>();
  let best = 0;
  for (const info of order) {
    const reach = longest.get(info.id) ?? 0;
    const task = top.get(info.id);
    const [s, e] = task ? span(task) : [0, 0];
    const through = reach + Math.max(0, e - s);
    best = Math.max(best, through);
    for (const edge of info.out) longest.set(edge.to.id, Math.max(longest.get(edge.to.id) ?? 0, through));
  }
  return best;
}

/** The most intervals open at one moment. An interval that ends where another starts does not overlap it. */
function maxOverlap(spans: readonly [number, number][]): number {
  const points: [number, number][] = [];
  for (const [s, e] of spans) {
    if (e <= s) continue;
    points.push([s, 1], [e, -1]);
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of points) {
    open += delta;
    most = Math.max(most, open);
  }
  return most;
}

/** Total length covered by at least one interval. */
function unionLength(spans: readonly [number, number][]): number {
  const sorted = spans.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const [s, e] of sorted) {
    if (s > to) {
      if (to > from) total += to - from;
      [from, to] = [s, e];
    } else {
      to = Math.max(to, e);
    }
  }
  if (to > from) total += to - from;
  return total;
}

function costByAgent(tasks: readonly TaskRecord[]): { agentId: string; cost: number }[] {
  const byAgent = new Map<string, number>();
  for (const task of tasks) {
    if (task.agent === undefined) continue;
    const at = task.agent.lastIndexOf('@');
    const id = at > 0 ? task.agent.slice(0, at) : task.agent;
    byAgent.set(id, (byAgent.get(id) ?? 0) + task.costUsd);
  }
  return [...byAgent]
    .map(([agentId, cost]) => ({ agentId, cost }))
    .sort((a, b) => a.agentId.localeCompare(b.agentId));
}

/** The planned path still ahead: for each open task its critical-path rank, less what it has run already. */
function remaining(
  tasks: readonly TaskRecord[],
  infoOf: (t: TaskRecord) => NodeInfo | undefined,
  topNodes: readonly NodeInfo[],
  now: number,
): number {
  let most = 0;
  let open = 0;
  for (const task of tasks) {
    if (SETTLED_TASK_STATUSES.has(task.status)) continue;
    open++;
    const ran = task.startedAt === undefined ? 0 : now - task.startedAt;
    most = Math.max(most, (infoOf(task)?.rank ?? 0) - ran);
  }
  // Before anything ran, the whole plan is ahead.
  if (open === 0 && tasks.length === 0) for (const node of topNodes) most = Math.max(most, node.rank);
  return Math.max(0, most);
}

function trace(
  started: readonly TaskRecord[],
  infoOf: (t: TaskRecord) => NodeInfo | undefined,
): ExecutionTraceEntry[] {
  return [...started]
    .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((t) => {
      const entry: ExecutionTraceEntry = {
        taskId: t.key,
        nodeId: t.nodeId,
        agentId: t.agent ?? infoOf(t)?.node.type ?? 'unknown',
        attempt: t.attempt,
        startTime: t.startedAt ?? 0,
        status: t.status,
        inputs: t.input ?? null,
      };
      if (t.endedAt !== undefined) entry.endTime = t.endedAt;
      if (t.output !== undefined) entry.outputs = t.output;
      if (t.error !== undefined) entry.error = t.error.message;
      return entry;
    });
}
