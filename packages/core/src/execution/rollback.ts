import { resolveTemplates } from '../expr/index.js';
import type { AgentNode, Compensation } from '../model/node-schema.js';
import { CompiledSource } from './compiled-workflow.js';
import { engineError, expressionFailure, type DecisionStep } from './decision-step.js';
import type { EngineInput } from './engine-input.js';
import { cancelInstance } from './failure.js';
import type { ErrorInfo, TaskRecord } from './records.js';
import { backoffDelay, resolveRetryPolicy, shouldRetry } from './retry-backoff.js';
import type { TaskState } from './run-state.js';

/**
 * Rollback (saga compensation, docs/errors.md): on a failure under `onFailure: "rollback"` or an operator's
 * `rollback`, everything open is cancelled and the compensations of the steps that succeeded run one at a
 * time, newest completion first. Each compensation is a row `<task key>~undo`, committed like any task, so a
 * rollback interrupted by a crash goes on where it stopped: the order is worked out again from the task rows
 * (completion time, then topological order, then key — the same every time).
 */
const SUFFIX = '~undo';

export function isCompensationKey(key: string): boolean {
  return key.endsWith(SUFFIX);
}

/** Starts rolling back. `cause`: the failure that triggered it (kept as the run's error), if any. */
export function startRollback(step: DecisionStep, reason: string, cause?: ErrorInfo, by?: string): void {
  const { state } = step;
  if (state.top) cancelInstance(step, state.top, 'run rolling back', false);
  step.setRunStatus('rolling_back');
  if (cause) step.setRun('error', cause);
  const order = compensationOrder(step);
  step.emit({
    type: 'rollback.started',
    reason,
    compensations: order.map((t) => t.row.key),
    ...(by === undefined ? {} : { by }),
  });
  compensateNext(step);
}

/** The tasks to compensate, in the order their compensations run. */
function compensationOrder(step: DecisionStep): TaskState[] {
  const done: TaskState[] = [];
  for (const task of step.state.byKey.values()) {
    if (task.row.status === 'succeeded' && task.info.node.compensation) done.push(task);
  }
  return done.sort(
    (a, b) =>
      (b.row.endedAt ?? 0) - (a.row.endedAt ?? 0) ||
      b.info.topo - a.info.topo ||
      (a.row.key < b.row.key ? 1 : a.row.key > b.row.key ? -1 : 0),
  );
}

/** Runs compensations until one is in flight, or all are done (`rolled_back`), or one failed for good. */
function compensateNext(step: DecisionStep): void {
  const order = compensationOrder(step);
  const compensated: string[] = [];
  for (const task of order) {
    const row = step.state.compensations.get(task.row.key + SUFFIX);
    if (row?.status === 'succeeded') {
      compensated.push(task.row.key);
      continue;
    }
    if (row?.status === 'failed') return rollbackFailed(step, task, row, compensated, order);
    if (row?.status === 'running' || row?.status === 'waiting') return;
    if (!startCompensation(step, task, 1)) continue;
    const after = step.state.compensations.get(task.row.key + SUFFIX);
    if (after?.status === 'succeeded') compensated.push(task.row.key);
    else if (after?.status === 'failed') return rollbackFailed(step, task, after, compensated, order);
    else return;
  }
  step.setRunStatus('rolled_back');
  step.setRun('endedAt', step.now);
  step.emit({ type: 'run.rolled_back', compensated });
  step.commands.push({ type: 'finished' });
}

/** Starts attempt `attempt` of a task's compensation; false when the task has none. */
function startCompensation(step: DecisionStep, task: TaskState, attempt: number): boolean {
  const compensation = task.info.node.compensation;
  if (!compensation) return false;
  const key = task.row.key + SUFFIX;
  const row: TaskRecord = {
    runId: step.state.run.id,
    key,
    nodeId: task.row.nodeId,
    status: 'running',
    attempt,
    costUsd: step.state.compensations.get(key)?.costUsd ?? 0,
    readyAt: step.now,
    startedAt: step.now,
  };
  step.state.compensations.set(key, row);
  step.writeRow(row);
  const scope = step.scope(task.instance, { output: task.row.output ?? null });
  const cannot = (error: ErrorInfo): true => {
    step.emit({ type: 'compensation.started', taskKey: key, nodeId: row.nodeId, attempt });
    compensationFailed(step, row, error);
    return true;
  };
  if (compensation.type === 'transform') {
    let output: Record<string, unknown>;
    try {
      output = Object.fromEntries(
        transformSources(compensation).map(([name, source]) => [
          name,
          source.evaluate(scope, step.evalOptions),
        ]),
      );
    } catch (error) {
      return cannot(expressionFailure(error));
    }
    step.emit({ type: 'compensation.started', taskKey: key, nodeId: row.nodeId, attempt });
    const vars = Object.fromEntries(
      Object.entries(output).filter(([name]) => name in step.state.workflow.variables),
    );
    if (Object.keys(vars).length > 0) {
      step.setRun('vars', { ...step.state.run.vars, ...vars });
      step.emit({ type: 'vars.updated', vars, taskKey: key });
    }
    compensationSucceeded(step, row, output, 0);
    return true;
  }
  const node: AgentNode = {
    type: 'agent',
    id: task.row.nodeId,
    agent: compensation.agent,
    inputs: compensation.inputs,
  };
  const resolved = step.ctx.resolveAgent(node, key);
  if ('error' in resolved) return cannot(resolved.error);
  let input: Record<string, unknown>;
  try {
    input = resolveTemplates(compensation.inputs, scope, step.evalOptions) as Record<string, unknown>;
  } catch (error) {
    return cannot(expressionFailure(error));
  }
  const agent = `${resolved.agent.id}@${resolved.agent.version}`;
  row.agent = agent;
  row.input = input;
  step.emit({ type: 'compensation.started', taskKey: key, nodeId: row.nodeId, attempt, agent, input });
  const { policies } = step.state.workflow;
  step.commands.push({
    type: 'dispatch',
    taskKey: key,
    nodeId: row.nodeId,
    attempt,
    agent: resolved.agent,
    input,
    timeoutMs: policies.timeoutMs ?? resolved.agent.config.timeout,
    rank: 0,
  });
  return true;
}

/** An input for a compensation row: an agent result or a retry timer. */
export function compensationInput(step: DecisionStep, input: EngineInput): void {
  if (step.state.run.status !== 'rolling_back') return;
  const key = 'taskKey' in input ? input.taskKey : undefined;
  const row = key === undefined ? undefined : step.state.compensations.get(key);
  if (!row) return;
  const current = 'attempt' in input ? input.attempt === row.attempt && row.status === 'running' : false;
  switch (input.type) {
    case 'agent.succeeded':
      if (!current) return;
      compensationSucceeded(step, row, input.output, input.costUsd);
      return compensateNext(step);
    case 'agent.failed':
      if (!current) return;
      if (!retryCompensation(step, row, input.error)) compensationFailed(step, row, input.error);
      return compensateNext(step);
    case 'timer.fired': {
      const task = step.state.byKey.get(row.key.slice(0, -SUFFIX.length));
      if (row.status !== 'waiting' || !task) return;
      startCompensation(step, task, row.attempt + 1);
      return compensateNext(step);
    }
    default:
      return;
  }
}

/** After a restart: a compensation in flight is dispatched again, a retry timer is armed again. */
export function recoverRollback(step: DecisionStep): void {
  for (const row of step.state.compensations.values()) {
    const task = step.state.byKey.get(row.key.slice(0, -SUFFIX.length));
    if (row.status === 'running' && task) {
      // Same attempt: the agent sees the same idempotency key.
      step.state.compensations.delete(row.key);
      startCompensation(step, task, row.attempt);
      // Starting it again may end it at once (its agent is gone, its inputs fail): the rollback goes on from there.
      return compensateNext(step);
    }
    if (row.status === 'waiting' && row.wakeAt !== undefined) {
      step.commands.push({ type: 'setTimer', taskKey: row.key, at: row.wakeAt });
      return;
    }
  }
  compensateNext(step);
}

function retryCompensation(step: DecisionStep, row: TaskRecord, error: ErrorInfo): boolean {
  const task = step.state.byKey.get(row.key.slice(0, -SUFFIX.length));
  const policy = task && resolveRetryPolicy(task.info.node, step.state.workflow.policies, undefined);
  if (!policy || !shouldRetry(policy, row.attempt, error)) return false;
  row.status = 'waiting';
  row.error = error;
  row.wakeAt = step.now + backoffDelay(policy, row.attempt, `${row.runId}:${row.key}:${row.attempt}`);
  step.writeRow(row);
  step.emit({
    type: 'compensation.failed',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    error,
  });
  step.commands.push({ type: 'setTimer', taskKey: row.key, at: row.wakeAt });
  return true;
}

function compensationSucceeded(step: DecisionStep, row: TaskRecord, output: unknown, costUsd: number): void {
  row.status = 'succeeded';
  row.output = output;
  row.endedAt = step.now;
  delete row.error;
  delete row.wakeAt;
  if (costUsd > 0) {
    row.costUsd += costUsd;
    step.setRun('costUsd', step.state.run.costUsd + costUsd);
  }
  step.writeRow(row);
  step.emit({
    type: 'compensation.succeeded',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    output,
    costUsd: row.costUsd,
  });
}

function compensationFailed(step: DecisionStep, row: TaskRecord, error: ErrorInfo): void {
  row.status = 'failed';
  row.error = error;
  row.endedAt = step.now;
  delete row.wakeAt;
  step.writeRow(row);
  step.emit({
    type: 'compensation.failed',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    error,
  });
}

function rollbackFailed(
  step: DecisionStep,
  task: TaskState,
  row: TaskRecord,
  compensated: string[],
  order: readonly TaskState[],
): void {
  const at = order.indexOf(task);
  const cause = step.state.run.error;
  const error = engineError(
    'ROLLBACK_FAILED',
    `the compensation of ${task.row.key} failed: ${row.error?.message ?? 'unknown error'}`,
    {
      taskKey: task.row.key,
      compensated,
      notCompensated: order.slice(at).map((t) => t.row.key),
      ...(row.error ? { error: row.error } : {}),
      ...(cause ? { cause } : {}),
    },
  );
  step.setRunStatus('rollback_failed');
  step.setRun('error', error);
  step.setRun('endedAt', step.now);
  step.emit({ type: 'run.rollback_failed', error, compensated });
  step.commands.push({ type: 'finished' });
}

const transformCache = new WeakMap<Compensation, [string, CompiledSource][]>();

function transformSources(
  compensation: Extract<Compensation, { type: 'transform' }>,
): [string, CompiledSource][] {
  let sources = transformCache.get(compensation);
  if (!sources) {
    sources = Object.entries(compensation.set).map(([name, source]) => [name, new CompiledSource(source)]);
    transformCache.set(compensation, sources);
  }
  return sources;
}
