import { resolveTemplates } from '../../expr/index.js';
import type { SubworkflowNode } from '../../model/node-schema.js';
import { DEFAULT_PORT } from '../../model/workflow-graph.js';
import { completeTask } from '../completion.js';
import { expressionFailure, type DecisionStep } from '../decision-step.js';
import type { EngineInput } from '../engine-input.js';
import { failTask } from '../failure.js';
import type { TaskState } from '../run-state.js';

/** Starts a child run: the task waits for it, and the child's outputs become the task's output. */
export function activateSubworkflow(step: DecisionStep, task: TaskState, node: SubworkflowNode): void {
  let input: Record<string, unknown>;
  try {
    input = resolveTemplates(node.inputs, step.scope(task.instance), step.evalOptions) as Record<
      string,
      unknown
    >;
  } catch (error) {
    failTask(step, task, expressionFailure(error));
    return;
  }
  const { row } = task;
  step.setTaskStatus(task, 'waiting');
  row.startedAt = step.now;
  row.input = input;
  task.waitingFor = 'child';
  step.emit({ type: 'task.started', taskKey: row.key, nodeId: row.nodeId, attempt: row.attempt, input });
  startChild(step, task, node, input);
}

/** Asks again for the child run of a waiting subworkflow task after a restart; the driver makes it idempotent. */
export function restartChild(step: DecisionStep, task: TaskState, node: SubworkflowNode): void {
  const stored = task.row.input;
  const input =
    typeof stored === 'object' && stored !== null && !Array.isArray(stored)
      ? (stored as Record<string, unknown>)
      : {};
  startChild(step, task, node, input);
}

function startChild(
  step: DecisionStep,
  task: TaskState,
  node: SubworkflowNode,
  input: Record<string, unknown>,
): void {
  const { id, version } = node.workflow;
  step.commands.push({
    type: 'startChildRun',
    taskKey: task.row.key,
    attempt: task.row.attempt,
    workflow: version === undefined ? { id } : { id, version },
    input,
  });
}

function waitingChild(
  step: DecisionStep,
  taskKey: string,
  attempt: number | undefined,
): TaskState | undefined {
  const task = step.state.byKey.get(taskKey);
  if (task?.info.node.type !== 'subworkflow' || task.waitingFor !== 'child') return undefined;
  return attempt === undefined || attempt === task.row.attempt ? task : undefined;
}

/** The child run completed: its cost is added and its outputs complete the task. */
export function childCompleted(
  step: DecisionStep,
  input: Extract<EngineInput, { type: 'child.completed' }>,
): void {
  const task = waitingChild(step, input.taskKey, input.attempt);
  if (!task) return;
  step.addCost(task, input.costUsd);
  completeTask(step, task, input.output, DEFAULT_PORT);
}

/** The child run failed or was cancelled: retry, route or fail like any failure. */
export function childFailed(step: DecisionStep, input: Extract<EngineInput, { type: 'child.failed' }>): void {
  const task = waitingChild(step, input.taskKey, input.attempt);
  if (task) failTask(step, task, input.error);
}
