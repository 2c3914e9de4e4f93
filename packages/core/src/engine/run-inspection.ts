import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { EngineInput } from '../execution/engine-input.js';
import type { RunState } from '../execution/index.js';
import type { Workflow } from '../model/workflow-schema.js';

/**
 * Refuses a decision the workflow cannot take, before it reaches the run: a task that is not an approval, or
 * a decision that is not one of the approval's options. (Whether the task is waiting is the run's business.)
 */
export function checkDecision(
  workflow: Workflow,
  input: Extract<EngineInput, { type: 'approval.decide' }>,
): void {
  const node = findNode(workflow, input.taskKey);
  if (node?.type !== 'approval') throw new NotFoundError(`task "${input.taskKey}" is not an approval`);
  if (!node.options.includes(input.decision)) {
    throw new ConflictError(
      `"${input.decision}" is not a decision of ${node.id}; choose ${node.options.join(', ')}`,
    );
  }
}

/**
 * Whether a run can only go on once a person decides: waiting, and every open task an approval. A run that
 * waits on a child run or an event is not: those arrive without anyone acting on the run.
 */
export function waitsOnlyForPeople(state: RunState): boolean {
  if (state.run.status !== 'waiting') return false;
  for (const task of state.tasks()) {
    const open = task.status === 'waiting' || task.status === 'running' || task.status === 'ready';
    if (open && (task.status !== 'waiting' || findNode(state.workflow, task.nodeId)?.type !== 'approval'))
      return false;
  }
  return true;
}

/** Finds a node by its id or a task key (`loop[2].node` → `node`), in bodies and branches too. */
export function findNode(workflow: Workflow, taskKey: string): Workflow['nodes'][number] | undefined {
  const nodeId = taskKey.slice(taskKey.lastIndexOf('.') + 1);
  const stack = [...workflow.nodes];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.id === nodeId) return node;
    if (node.type === 'loop') stack.push(...node.body.nodes);
    if (node.type === 'parallel') for (const b of node.branches) stack.push(...b.nodes);
  }
  return undefined;
}
