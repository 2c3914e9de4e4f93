import type { ParallelNode } from '../../model/node-schema.js';
import { DEFAULT_PORT } from '../../model/workflow-graph.js';
import { completeTask } from '../completion.js';
import { expressionFailure, type DecisionStep } from '../decision-step.js';
import { cancelInstance, failTask } from '../failure.js';
import { lastOutput, startInstance } from '../readiness.js';
import type { ErrorInfo } from '../records.js';
import { ScopeInstance, type ParallelProgress, type TaskState } from '../run-state.js';

/**
 * Parallel nodes: every branch starts at once. `all` completes when every branch completed (output: the list of
 * branch outputs, or null without `aggregateOutputs`); `first` completes with the first branch to complete
 * and cancels the others. Under `first` a failed branch only drops out of the race; the node fails when every
 * branch failed. Under `all` a failed branch fails the node and cancels the others.
 */
export function activateParallel(step: DecisionStep, task: TaskState, node: ParallelNode): void {
  const { row } = task;
  step.setTaskStatus(task, 'running');
  row.startedAt = step.now;
  step.emit({ type: 'task.started', taskKey: row.key, nodeId: row.nodeId, attempt: row.attempt });
  task.parallel = { outputs: node.branches.map(() => null), completed: 0, failed: 0 };
  const branches = task.info.children.map(
    (scope, i) => new ScopeInstance(`${row.key}#${i}`, scope, task.instance.prefix, task, i, undefined),
  );
  for (const branch of branches) startInstance(step, branch);
}

/** Every node of a branch settled. */
export function branchDone(step: DecisionStep, instance: ScopeInstance, node: ParallelNode): void {
  const task = instance.owner;
  if (!task?.parallel || task.row.status !== 'running') return;
  let output: unknown;
  const expression = instance.scope.output;
  try {
    output = expression
      ? expression.evaluate(step.scope(instance), step.evalOptions)
      : lastOutput(instance, step.state.byKey);
  } catch (error) {
    branchFailed(step, instance, expressionFailure(error), task.row.key, node);
    return;
  }
  instance.close('done');
  if (node.waitFor === 'first') {
    const reason = `another branch of ${task.row.nodeId} finished first`;
    for (const child of [...task.children]) cancelInstance(step, child, reason, true);
    completeTask(step, task, node.aggregateOutputs ? output : null, DEFAULT_PORT);
    return;
  }
  const progress: ParallelProgress = task.parallel;
  progress.outputs[instance.ordinal] = output;
  progress.completed++;
  if (progress.completed === node.branches.length) {
    completeTask(step, task, node.aggregateOutputs ? progress.outputs : null, DEFAULT_PORT);
  }
}

/** A failure no node of the branch handles. */
export function branchFailed(
  step: DecisionStep,
  instance: ScopeInstance,
  error: ErrorInfo,
  origin: string,
  node: ParallelNode,
): void {
  const task = instance.owner;
  if (!task?.parallel || task.row.status !== 'running') return;
  if (node.waitFor === 'first') {
    cancelInstance(step, instance, `branch ${instance.ordinal} of ${task.row.nodeId} failed`, false);
    task.parallel.failed++;
    if (task.parallel.failed === node.branches.length) failTask(step, task, error, origin);
    return;
  }
  const reason = `branch ${instance.ordinal} of ${task.row.nodeId} failed`;
  for (const child of [...task.children]) cancelInstance(step, child, reason, false);
  failTask(step, task, error, origin);
}
