import { renderTemplate } from '../../expr/index.js';
import type { ApprovalNode } from '../../model/node-schema.js';
import { completeTask } from '../completion.js';
import { engineError, expressionFailure, type DecisionStep } from '../decision-step.js';
import type { EngineInput } from '../engine-input.js';
import { failTask } from '../failure.js';
import type { TaskState } from '../run-state.js';

/** Who decides when a deadline passes. */
const SYSTEM = 'system';

/** Asks a person: the task waits, `approval.requested` is logged, and a deadline arms a timer. */
export function activateApproval(step: DecisionStep, task: TaskState, node: ApprovalNode): void {
  let message: string;
  try {
    const rendered = renderTemplate(node.message, step.scope(task.instance), step.evalOptions);
    message = typeof rendered === 'string' ? rendered : (JSON.stringify(rendered) ?? '');
  } catch (error) {
    failTask(step, task, expressionFailure(error));
    return;
  }
  const { row } = task;
  step.setTaskStatus(task, 'waiting');
  row.startedAt = step.now;
  task.waitingFor = 'approval';
  const deadline = node.deadlineMs === undefined ? undefined : step.now + node.deadlineMs;
  const request = {
    assignee: node.assignee,
    message,
    options: [...node.options],
    urgency: node.urgency,
    ...(deadline === undefined ? {} : { deadline }),
  };
  row.input = request;
  step.emit({ type: 'approval.requested', taskKey: row.key, nodeId: row.nodeId, ...request });
  if (deadline !== undefined) {
    row.wakeAt = deadline;
    step.commands.push({ type: 'setTimer', taskKey: row.key, at: deadline });
  }
}

/**
 * A person decided. A decision for a task that is not waiting for one, or that is not one of the node's
 * options, changes nothing (the driver validates decisions before they get here).
 */
export function approvalDecided(
  step: DecisionStep,
  input: Extract<EngineInput, { type: 'approval.decide' }>,
): void {
  const task = step.state.byKey.get(input.taskKey);
  const node = task?.info.node;
  if (!task || node?.type !== 'approval' || task.waitingFor !== 'approval') return;
  if (!node.options.includes(input.decision)) return;
  decide(step, task, input.decision, input.by, input.comment, false);
}

/** The deadline passed: `autoDecision` applies, `rejected` when the node names none. */
export function approvalDeadline(step: DecisionStep, task: TaskState, node: ApprovalNode): void {
  if (task.waitingFor !== 'approval') return;
  decide(step, task, node.autoDecision ?? 'rejected', SYSTEM, undefined, true);
}

function decide(
  step: DecisionStep,
  task: TaskState,
  decision: string,
  by: string,
  comment: string | undefined,
  auto: boolean,
): void {
  const { row } = task;
  const noted = comment === undefined ? {} : { comment };
  step.emit({ type: 'approval.decided', taskKey: row.key, nodeId: row.nodeId, decision, by, auto, ...noted });
  // A rejection that no edge handles ends the run, as a failure of this task (onError still applies).
  if (decision === 'rejected' && !task.info.ports.has('rejected')) {
    const message = `${row.nodeId} was rejected by ${by}${comment === undefined ? '' : `: ${comment}`}`;
    failTask(step, task, engineError('APPROVAL_REJECTED', message, { decision, by, auto }));
    return;
  }
  completeTask(step, task, { decision, by, auto, ...noted }, decision);
}
