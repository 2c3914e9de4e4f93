import type { WaitNode } from '../../model/node-schema.js';
import { DEFAULT_PORT } from '../../model/workflow-graph.js';
import { completeTask } from '../completion.js';
import { engineError, expressionFailure, type DecisionStep } from '../decision-step.js';
import { failTask } from '../failure.js';
import type { TaskState } from '../run-state.js';

/**
 * Wait nodes: a timer (`durationMs`, `until`) or a wait for a run event whose `match` holds. Only events
 * published while the task waits count; the output of an event wait is the event, `{ name, payload }`.
 */
export function activateWait(step: DecisionStep, task: TaskState, node: WaitNode): void {
  const { row } = task;
  if (node.event) {
    step.setTaskStatus(task, 'waiting');
    row.startedAt = step.now;
    task.waitingFor = 'event';
    step.state.addWaiter(node.event.name, task);
    if (node.event.timeoutMs !== undefined) armTimer(step, task, step.now + node.event.timeoutMs);
    return;
  }
  let wakeAt: number;
  if (node.durationMs !== undefined) {
    wakeAt = step.now + node.durationMs;
  } else if (task.info.expressions.until) {
    let value: unknown;
    try {
      value = task.info.expressions.until.evaluate(step.scope(task.instance), step.evalOptions);
    } catch (error) {
      failTask(step, task, expressionFailure(error));
      return;
    }
    const at = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(at)) {
      const shown = typeof value === 'string' ? `"${value}"` : typeof value;
      failTask(
        step,
        task,
        engineError(
          'EXPRESSION_TYPE',
          `until of wait "${row.nodeId}" must give an ISO date-time or epoch milliseconds, got ${shown}`,
        ),
      );
      return;
    }
    wakeAt = at;
  } else {
    failTask(
      step,
      task,
      engineError('DEFINITION_INVALID', `wait "${row.nodeId}" needs durationMs, until or event`),
    );
    return;
  }
  if (wakeAt <= step.now) {
    completeTask(step, task, null, DEFAULT_PORT);
    return;
  }
  step.setTaskStatus(task, 'waiting');
  row.startedAt = step.now;
  task.waitingFor = 'timer';
  armTimer(step, task, wakeAt);
}

function armTimer(step: DecisionStep, task: TaskState, at: number): void {
  const { row } = task;
  row.wakeAt = at;
  step.emit({ type: 'timer.started', taskKey: row.key, nodeId: row.nodeId, wakeAt: at });
  step.commands.push({ type: 'setTimer', taskKey: row.key, at });
}

/** A wait's timer fired: the timer wait completes; the event wait timed out and fails (not retryable). */
export function waitTimerFired(step: DecisionStep, task: TaskState, node: WaitNode): void {
  if (task.waitingFor === 'timer') {
    completeTask(step, task, null, DEFAULT_PORT);
  } else if (task.waitingFor === 'event' && node.event) {
    step.state.removeWaiter(node.event.name, task);
    const message = `no event "${node.event.name}" arrived within ${node.event.timeoutMs ?? 0} ms`;
    failTask(step, task, engineError('TIMEOUT', message, { event: node.event.name }));
  }
}

/** An event was published on the run (by an emit node or from outside): wakes every wait it matches. */
export function publishEvent(step: DecisionStep, name: string, payload: unknown): void {
  const waiters = step.state.eventWaiters.get(name);
  if (!waiters) return;
  const event = { name, payload };
  for (const task of [...waiters]) {
    if (task.row.status !== 'waiting' || task.waitingFor !== 'event') {
      step.state.removeWaiter(name, task);
      continue;
    }
    const match = task.info.expressions.match;
    let matched = true;
    try {
      if (match) matched = Boolean(match.evaluate(step.scope(task.instance, { event }), step.evalOptions));
    } catch (error) {
      step.state.removeWaiter(name, task);
      failTask(step, task, expressionFailure(error));
      continue;
    }
    if (!matched) continue;
    step.state.removeWaiter(name, task);
    completeTask(step, task, event, DEFAULT_PORT);
  }
}
