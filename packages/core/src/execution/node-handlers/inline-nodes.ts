import { resolveTemplates } from '../../expr/index.js';
import type { ConditionalNode, EmitNode, TransformNode } from '../../model/node-schema.js';
import { DEFAULT_PORT } from '../../model/workflow-graph.js';
import { completeTask } from '../completion.js';
import { expressionFailure, type DecisionStep } from '../decision-step.js';
import { failTask } from '../failure.js';
import type { TaskState } from '../run-state.js';
import { publishEvent } from './wait-node.js';

/**
 * The nodes `decide` evaluates itself (pure; `now()` is the decision's time). They settle from `ready` in the
 * same decision, so they never hold a worker or a row in `running`.
 */

/** Computes the output object, one field per `set` expression. */
export function runTransform(step: DecisionStep, task: TaskState, _node: TransformNode): void {
  const scope = step.scope(task.instance);
  const fields: [string, unknown][] = [];
  try {
    for (const [name, expression] of task.info.expressions.set ?? []) {
      fields.push([name, expression.evaluate(scope, step.evalOptions)]);
    }
  } catch (error) {
    failTask(step, task, expressionFailure(error));
    return;
  }
  completeTask(step, task, Object.fromEntries(fields), DEFAULT_PORT);
}

/** Chooses a port: `true`/`false` for a condition, else the first case that holds, else `default`. */
export function runConditional(step: DecisionStep, task: TaskState, _node: ConditionalNode): void {
  const { condition, cases } = task.info.expressions;
  const scope = step.scope(task.instance);
  let port = 'default';
  try {
    if (condition) {
      port = condition.evaluate(scope, step.evalOptions) ? 'true' : 'false';
    } else {
      for (const c of cases ?? []) {
        if (c.when.evaluate(scope, step.evalOptions)) {
          port = c.port;
          break;
        }
      }
    }
  } catch (error) {
    failTask(step, task, expressionFailure(error));
    return;
  }
  completeTask(step, task, { port }, port);
}

/** Publishes an event on the run, then wakes the waits it matches. Output: `{ name, payload }`. */
export function runEmit(step: DecisionStep, task: TaskState, node: EmitNode): void {
  let payload: unknown;
  try {
    payload = resolveTemplates(node.payload, step.scope(task.instance), step.evalOptions);
  } catch (error) {
    failTask(step, task, expressionFailure(error));
    return;
  }
  step.emit({ type: 'event.emitted', name: node.event, payload, taskKey: task.row.key });
  completeTask(step, task, { name: node.event, payload }, DEFAULT_PORT);
  publishEvent(step, node.event, payload);
}
