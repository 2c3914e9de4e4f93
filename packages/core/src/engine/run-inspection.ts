import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { EngineInput } from '../execution/engine-input.js';
import type { RunState } from '../execution/index.js';
import { operatorRefusal } from '../execution/operator.js';
import { INPUT_REQUIRED, personOptions } from '../execution/input-request.js';
import type { RunControl } from '../ports/command-store.js';
import type { Workflow } from '../model/workflow-schema.js';

/**
 * Refuses a control the run cannot take as it is, before it reaches the run, with the reason: an operator act
 * the run's state does not allow, or a decision on a task that is not an approval (nor an escalated failure),
 * or that is not one of its options.
 */
export function checkControl(state: RunState, input: RunControl): void {
  if (input.type !== 'approval.decide') {
    const refusal = operatorRefusal(state, input);
    if (!refusal) return;
    const options = { details: { code: refusal.code } };
    if (refusal.code === 'NOT_FOUND') throw new NotFoundError(refusal.message, options);
    throw new ConflictError(refusal.message, options);
  }
  const task = state.task(input.taskKey);
  if (isEscalatedRow(task)) {
    const options = personOptions(task!.error);
    const what = task!.error?.code === INPUT_REQUIRED ? "an agent's request for input" : 'a failed task';
    if (!options.includes(input.decision))
      throw new ConflictError(
        `"${input.decision}" is not a decision on ${what}; choose ${options.join(', ')}`,
      );
    if (input.decision === 'reply' && input.reply === undefined)
      throw new ConflictError(`a reply to ${input.taskKey} needs the answer: give \`reply\``, {
        details: { code: 'REPLY_MISSING' },
      });
    return;
  }
  checkDecision(state.workflow, input);
}

/** A failed task waiting for a person: waiting with its error and no wake-up time (see recovery.ts). */
function isEscalatedRow(task: ReturnType<RunState['task']>): boolean {
  return task?.status === 'waiting' && task.error !== undefined && task.wakeAt === undefined;
}

/**
 * Refuses a decision the workflow cannot take: a task that is not an approval, or a decision that is not one
 * of the approval's options. (Whether the task is waiting is the run's business.)
 */
function checkDecision(workflow: Workflow, input: Extract<EngineInput, { type: 'approval.decide' }>): void {
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
    const person = isEscalatedRow(task) || findNode(state.workflow, task.nodeId)?.type === 'approval';
    if (open && (task.status !== 'waiting' || !person)) return false;
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
