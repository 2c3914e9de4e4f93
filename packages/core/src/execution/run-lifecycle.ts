import type { DecisionStep } from './decision-step.js';
import { expressionFailure } from './decision-step.js';
import type { EngineInput } from './engine-input.js';
import { cancelInstance } from './failure.js';
import { redispatchAgent } from './node-handlers/agent-node.js';
import { restartChild } from './node-handlers/subworkflow-node.js';
import { startInstance } from './readiness.js';
import type { ErrorInfo } from './records.js';
import { armDeadline } from './budget.js';
import { startRollback } from './rollback.js';
import { ScopeInstance } from './run-state.js';

/** `start`: a queued run starts running and its entry tasks become ready. */
export function startRun(step: DecisionStep): void {
  const { state } = step;
  if (state.run.status !== 'queued') return;
  const problem = state.compiled.problem;
  if (problem) {
    endRun(step, 'failed');
    step.setRun('error', problem);
    step.emit({ type: 'run.failed', error: problem });
    step.commands.push({ type: 'finished' });
    return;
  }
  step.setRunStatus('running');
  step.setRun('startedAt', step.now);
  state.runChanged();
  step.emit({ type: 'run.started' });
  armDeadline(step);
  const top = new ScopeInstance('', state.compiled.top, '', undefined, 0, undefined);
  state.top = top;
  startInstance(step, top);
}

/** `pause`: nothing new starts; tasks in flight finish and their results are recorded. */
export function pauseRun(step: DecisionStep, input: Extract<EngineInput, { type: 'pause' }>): void {
  const { status } = step.state.run;
  if (status !== 'running' && status !== 'waiting') return;
  step.setRunStatus('paused');
  step.emit({
    type: 'run.paused',
    ...by(input.by),
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  });
}

/** `resume`: ready tasks start, and a run whose tasks all settled while paused completes. */
export function resumeRun(step: DecisionStep, input: Extract<EngineInput, { type: 'resume' }>): void {
  const { state } = step;
  if (state.run.status !== 'paused') return;
  step.setRunStatus('running');
  step.emit({ type: 'run.resumed', ...by(input.by) });
  for (const task of state.ready) step.push({ kind: 'activate', task });
  const top = state.top;
  if (top?.status === 'live' && top.unsettled === 0) step.push({ kind: 'scopeDone', instance: top });
}

/** `cancel`: everything open is cancelled and the run ends. */
export function cancelRun(step: DecisionStep, input: Extract<EngineInput, { type: 'cancel' }>): void {
  const reason = input.reason ?? 'run cancelled';
  if (step.state.top) cancelInstance(step, step.state.top, reason, false);
  endRun(step, 'cancelled');
  step.emit({
    type: 'run.cancelled',
    ...by(input.by),
    ...(input.reason === undefined ? {} : { reason: input.reason }),
  });
  step.commands.push({ type: 'finished' });
}

/**
 * `recover`, after a restart: a queued run starts; every in-flight agent attempt is dispatched again with the same attempt number
 * (same idempotency key), child runs are asked for again, and the timers of waiting tasks are armed again
 * (the driver fires overdue ones at once).
 */
export function recoverRun(step: DecisionStep): void {
  const { state } = step;
  // A run created but never started (the process died in between) starts now.
  if (state.run.status === 'queued') {
    startRun(step);
    return;
  }
  armDeadline(step, true);
  for (const task of state.byKey.values()) {
    const { row, info } = task;
    const node = info.node;
    if (row.status === 'running' && node.type === 'agent') {
      redispatchAgent(step, task, node);
    } else if (row.status === 'waiting') {
      if (task.waitingFor === 'child' && node.type === 'subworkflow') restartChild(step, task, node);
      if (row.wakeAt !== undefined)
        step.commands.push({ type: 'setTimer', taskKey: row.key, at: row.wakeAt });
    } else if (row.status === 'ready') {
      step.push({ kind: 'activate', task });
    }
  }
  const top = state.top;
  if (top?.status === 'live' && top.unsettled === 0) step.push({ kind: 'scopeDone', instance: top });
}

/** Every top-level node settled: the workflow's outputs are evaluated and the run completes. Deferred while paused. */
export function completeRun(step: DecisionStep, top: ScopeInstance): void {
  if (step.paused) return;
  const scope = step.scope(top);
  let output: Record<string, unknown>;
  try {
    const values = step.state.compiled.outputs.map(([name, expression]): [string, unknown] => [
      name,
      expression.evaluate(scope, step.evalOptions),
    ]);
    output = Object.fromEntries(values);
  } catch (error) {
    failRun(step, expressionFailure(error), undefined);
    return;
  }
  top.close('done');
  endRun(step, 'completed');
  step.setRun('output', output);
  step.emit({ type: 'run.completed', output, costUsd: step.state.run.costUsd });
  step.commands.push({ type: 'finished' });
}

/**
 * A failure nothing handles reached the top: everything open is cancelled and the run fails — or, under
 * `onFailure: "rollback"`, the compensations of its completed steps run first.
 */
export function failRun(step: DecisionStep, error: ErrorInfo, taskKey: string | undefined): void {
  if (step.state.workflow.policies.onFailure === 'rollback' && step.state.run.status !== 'queued') {
    startRollback(step, `${taskKey === undefined ? 'the run' : taskKey} failed: ${error.message}`, error);
    return;
  }
  if (step.state.top) cancelInstance(step, step.state.top, 'run failed', false);
  endRun(step, 'failed');
  step.setRun('error', error);
  step.emit({ type: 'run.failed', error, ...(taskKey === undefined ? {} : { taskKey }) });
  step.commands.push({ type: 'finished' });
}

function endRun(step: DecisionStep, status: 'completed' | 'failed' | 'cancelled'): void {
  step.setRunStatus(status);
  step.setRun('endedAt', step.now);
}

/**
 * Keeps `running` and `waiting` true to what the run does: `waiting` when no task is ready or in flight and
 * some wait for a person, a timer, an event or a child run; `running` again as soon as work starts.
 */
export function updateActivity(step: DecisionStep): void {
  const { state } = step;
  const { status } = state.run;
  if (status !== 'running' && status !== 'waiting') return;
  const busy = state.ready.size + state.runningLeaves > 0;
  if (!busy && status === 'running') {
    step.setRunStatus('waiting');
    step.emit({ type: 'run.waiting', on: [...state.waiting].map((t) => t.row.key) });
  } else if (busy && status === 'waiting') {
    step.setRunStatus('running');
    step.emit({ type: 'run.resumed' });
  }
}

function by(who: string | undefined): { by?: string } {
  return who === undefined ? {} : { by: who };
}
