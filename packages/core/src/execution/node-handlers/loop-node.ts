import type { LoopNode } from '../../model/node-schema.js';
import { DEFAULT_PORT } from '../../model/workflow-graph.js';
import { completeTask } from '../completion.js';
import { engineError, expressionFailure, type DecisionStep } from '../decision-step.js';
import { cancelInstance, failTask } from '../failure.js';
import { lastOutput, startInstance } from '../readiness.js';
import type { ErrorInfo } from '../records.js';
import { ScopeInstance, type LoopProgress, type TaskState } from '../run-state.js';

/**
 * Loop nodes. For-each evaluates its list once (kept as the task's `input.items`, so a restart sees the same
 * list), runs up to `concurrency` iterations at a time and outputs the iteration outputs in item order. While
 * checks its condition before each iteration, one at a time, and stops at `maxIterations`.
 */
export function activateLoop(step: DecisionStep, task: TaskState, node: LoopNode): void {
  const { forEach, while: condition } = task.info.expressions;
  let items: unknown[] | undefined;
  if (forEach) {
    let value: unknown;
    try {
      value = forEach.evaluate(step.scope(task.instance), step.evalOptions);
    } catch (error) {
      failTask(step, task, expressionFailure(error));
      return;
    }
    if (!Array.isArray(value)) {
      const got = value === null ? 'null' : typeof value;
      failTask(
        step,
        task,
        engineError('EXPRESSION_TYPE', `forEach of loop "${node.id}" must give a list, got ${got}`),
      );
      return;
    }
    if (value.length > node.maxIterations) {
      const message = `forEach of loop "${node.id}" gave ${value.length} items, more than maxIterations (${node.maxIterations}); raise maxIterations`;
      failTask(
        step,
        task,
        engineError('LOOP_LIMIT', message, { items: value.length, maxIterations: node.maxIterations }),
      );
      return;
    }
    items = value;
  } else if (!condition) {
    failTask(step, task, engineError('DEFINITION_INVALID', `loop "${node.id}" needs forEach or while`));
    return;
  }
  const { row } = task;
  step.setTaskStatus(task, 'running');
  row.startedAt = step.now;
  if (items) row.input = { items };
  step.emit({
    type: 'task.started',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    ...(items ? { input: row.input } : {}),
  });
  task.loop = { items, next: 0, outputs: [] };
  advanceLoop(step, task, node);
}

/** Starts what may start next, or completes the loop when nothing is left. */
export function advanceLoop(step: DecisionStep, task: TaskState, node: LoopNode): void {
  const progress = task.loop as LoopProgress;
  const { items } = progress;
  if (items) {
    const concurrency = Math.max(1, node.concurrency);
    while (task.children.size < concurrency && progress.next < items.length) {
      const index = progress.next++;
      startIteration(step, task, index, { item: items[index], index });
    }
    if (task.children.size === 0) completeTask(step, task, progress.outputs, DEFAULT_PORT);
    return;
  }
  if (task.children.size > 0) return;
  const index = progress.next;
  let holds: unknown;
  try {
    const condition = task.info.expressions.while;
    holds = condition?.evaluate(step.scope(task.instance, { loop: { index } }), step.evalOptions);
  } catch (error) {
    failTask(step, task, expressionFailure(error));
    return;
  }
  if (!holds) {
    completeTask(step, task, progress.outputs, DEFAULT_PORT);
    return;
  }
  if (index >= node.maxIterations) {
    const { row } = task;
    step.emit({
      type: 'task.progress',
      taskKey: row.key,
      nodeId: row.nodeId,
      message: `stopped after maxIterations (${node.maxIterations}) with the condition still true`,
      data: { reason: 'max_iterations', iterations: index },
    });
    completeTask(step, task, progress.outputs, DEFAULT_PORT);
    return;
  }
  progress.next++;
  startIteration(step, task, index, { index });
}

function startIteration(
  step: DecisionStep,
  task: TaskState,
  index: number,
  loop: Record<string, unknown>,
): void {
  const { row } = task;
  const id = `${row.key}[${index}]`;
  const body = task.info.children[0];
  if (!body) throw new Error(`loop "${row.nodeId}" has no body scope`);
  const instance = new ScopeInstance(id, body, `${id}.`, task, index, loop);
  step.emit({
    type: 'loop.iterated',
    taskKey: row.key,
    nodeId: row.nodeId,
    index,
    ...('item' in loop ? { item: loop['item'] } : {}),
  });
  startInstance(step, instance);
}

/** Every node of an iteration settled: record its output and go on. */
export function iterationDone(step: DecisionStep, instance: ScopeInstance, node: LoopNode): void {
  const task = instance.owner;
  if (!task?.loop || task.row.status !== 'running') return;
  let output: unknown;
  const expression = task.info.expressions.output;
  try {
    output = expression
      ? expression.evaluate(step.scope(instance), step.evalOptions)
      : lastOutput(instance, step.state.byKey);
  } catch (error) {
    iterationFailed(step, instance, expressionFailure(error), task.row.key);
    return;
  }
  task.loop.outputs[instance.ordinal] = output;
  instance.close('done');
  advanceLoop(step, task, node);
}

/** A failure no node of the iteration handles fails the loop; the other iterations are cancelled. */
export function iterationFailed(
  step: DecisionStep,
  instance: ScopeInstance,
  error: ErrorInfo,
  origin: string,
): void {
  const task = instance.owner;
  if (!task || task.row.status !== 'running') return;
  const reason = `iteration ${instance.ordinal} of ${task.row.nodeId} failed`;
  for (const child of [...task.children]) cancelInstance(step, child, reason, false);
  failTask(step, task, error, origin);
}
