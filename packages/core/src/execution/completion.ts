import type { DecisionStep } from './decision-step.js';
import { expressionFailure } from './decision-step.js';
import { failTask } from './failure.js';
import { settle } from './readiness.js';
import type { TaskState } from './run-state.js';

/**
 * Completes a task that succeeded: evaluates its `assign` expressions with `output` in scope (a failing one
 * fails the task instead), sets the variables, then settles the task through `port`.
 */
export function completeTask(step: DecisionStep, task: TaskState, output: unknown, port: string): void {
  const assign = task.info.expressions.assign;
  let changes: [string, unknown][] | undefined;
  if (assign && assign.length > 0) {
    const scope = step.scope(task.instance, { output });
    changes = [];
    try {
      for (const [name, expression] of assign)
        changes.push([name, expression.evaluate(scope, step.evalOptions)]);
    } catch (error) {
      failTask(step, task, expressionFailure(error));
      return;
    }
  }
  const { row } = task;
  step.emit({
    type: 'task.succeeded',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    output,
    port,
    costUsd: row.costUsd,
  });
  if (changes) {
    const vars = Object.fromEntries(changes);
    // A new object, so a delta handed out earlier keeps the variables it reported.
    step.setRun('vars', { ...step.state.run.vars, ...vars });
    step.emit({ type: 'vars.updated', vars, taskKey: row.key });
  }
  settle(step, task, { status: 'succeeded', output, port });
}
