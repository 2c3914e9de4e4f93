import { DEFAULT_PORT, ERROR_PORT } from '../model/workflow-graph.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import { hasErrorRoute } from './compiled-workflow.js';
import type { DecisionStep } from './decision-step.js';
import { cancel, settle } from './readiness.js';
import type { ErrorInfo } from './records.js';
import { askForInput, asksForInput } from './input-request.js';
import { escalate, escalates, fallBack, recovery } from './recovery.js';
import { backoffDelay, resolveRetryPolicy, shouldRetry } from './retry-backoff.js';
import type { ScopeInstance, TaskState } from './run-state.js';

/**
 * An agent's request for input goes to a person (input-request.ts). Otherwise the failure path of
 * docs/adr/0003 and the error recovery of docs/errors.md: retry while the policy allows; then an unavailable
 * agent hands the task to the next alternative agent; then `onError: "route"` (the error port), `"continue"`
 * or `optional` (a null output, the failure recorded); then escalation to a person (a human in the loop); else
 * the failure is unhandled and fails the enclosing scope instance — and with it the container, or at the top
 * the run. `origin` is the task where the failure started, kept as it travels up through containers.
 */
export function failTask(step: DecisionStep, task: TaskState, error: ErrorInfo, origin = task.row.key): void {
  const { info, row } = task;
  const node = info.node;
  // An agent that asks for input has not failed: whatever handles failures does not apply to it.
  if (asksForInput(task, error)) return askForInput(step, task, error);
  if (!info.container) {
    const policy = resolveRetryPolicy(node, step.state.workflow.policies, agentOf(step, task));
    if (policy && shouldRetry(policy, row.attempt, error)) {
      const delayMs = backoffDelay(policy, row.attempt, `${row.runId}:${row.key}:${row.attempt}`);
      step.setTaskStatus(task, 'waiting');
      row.error = error;
      row.wakeAt = step.now + delayMs;
      task.waitingFor = 'backoff';
      step.emit({
        type: 'task.retrying',
        taskKey: row.key,
        nodeId: row.nodeId,
        attempt: row.attempt,
        error,
        delayMs,
      });
      step.commands.push({ type: 'setTimer', taskKey: row.key, at: row.wakeAt });
      return;
    }
  }
  if (fallBack(step, task, error)) return;
  if (node.onError === 'route' && hasErrorRoute(info)) {
    handled(step, task, error, 'route', ERROR_PORT);
  } else if (node.onError === 'continue' || node.optional === true) {
    if (node.optional === true)
      recovery(step, task, 'skip', `optional task: ${error.code}: ${error.message}`);
    handled(step, task, error, 'continue', DEFAULT_PORT);
  } else if (escalates(step, task)) {
    escalate(step, task, error);
  } else {
    failUnhandled(step, task, error, origin);
  }
}

/** A failure nothing handles: the task fails and so does its scope instance (and at the top, the run). */
export function failUnhandled(
  step: DecisionStep,
  task: TaskState,
  error: ErrorInfo,
  origin = task.row.key,
): void {
  const { row } = task;
  const instance = task.instance;
  const live = instance.status === 'live';
  // Marked before anything else settles, so that nothing more in the instance starts.
  if (live) instance.status = 'failed';
  step.emit({ type: 'task.failed', taskKey: row.key, nodeId: row.nodeId, attempt: row.attempt, error });
  settle(step, task, { status: 'failed', output: null, port: undefined, error });
  if (live) step.push({ kind: 'scopeFailed', instance, error, origin });
}

function handled(
  step: DecisionStep,
  task: TaskState,
  error: ErrorInfo,
  handledBy: 'route' | 'continue',
  port: string,
): void {
  const { row } = task;
  step.emit({
    type: 'task.failed',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    error,
    handledBy,
  });
  settle(step, task, { status: 'failed', output: null, port, error });
}

/** The agent whose retry policy applies: the one last dispatched, else the one the node resolves to now. */
function agentOf(step: DecisionStep, task: TaskState): AgentDefinition | undefined {
  if (task.agent || task.info.node.type !== 'agent') return task.agent;
  const resolved = step.ctx.resolveAgent(task.info.node, task.row.key);
  return 'agent' in resolved ? resolved.agent : undefined;
}

/**
 * Cancels everything still open in a scope instance and the instances below it. Running agents and child runs
 * get a `cancelTask` command; `skipReady` marks tasks that never started as skipped (a lost parallel race)
 * rather than cancelled.
 */
export function cancelInstance(
  step: DecisionStep,
  instance: ScopeInstance,
  reason: string,
  skipReady: boolean,
): void {
  instance.close('cancelled');
  for (const child of [...instance.children]) cancelInstance(step, child, reason, skipReady);
  for (const task of [...instance.active]) cancel(step, task, reason, skipReady);
}
