import { INPUT_REPLY_KIND, type InputReply } from '../ports/agent-runtime.js';
import type { DecisionStep } from './decision-step.js';
import type { ErrorInfo } from './records.js';
import { ESCALATION_OPTIONS, recovery, waitForPerson } from './recovery.js';
import { readyNextAttempt } from './readiness.js';
import type { TaskState } from './run-state.js';

/** The error code of an agent that stopped to ask a person something (`InputRequiredError`). */
export const INPUT_REQUIRED = 'INPUT_REQUIRED';

/**
 * What a person can do with an agent's request for input: `reply` answers it (the next attempt carries on with
 * the answer), `skip` settles the task with an output given instead, `abort` fails it.
 */
export const INPUT_REQUEST_OPTIONS = ['reply', 'skip', 'abort'] as const;

/** Whether a failure is an agent asking for input rather than failing. Only agent tasks ask. */
export function asksForInput(task: TaskState, error: ErrorInfo): boolean {
  return error.code === INPUT_REQUIRED && task.info.node.type === 'agent' && !task.info.container;
}

/** The decisions a person has on a task waiting after a failure (escalated) or a request for input. */
export function personOptions(error: ErrorInfo | undefined): readonly string[] {
  return error?.code === INPUT_REQUIRED ? INPUT_REQUEST_OPTIONS : ESCALATION_OPTIONS;
}

/**
 * The task waits for a person to answer its agent (`approval.requested` of kind `input`, the question as its
 * message); the run waits with it. The task is kept as an escalated one is — waiting with its error and no
 * wake-up time — so it survives a restart the same way, and the error's code says which it is.
 */
export function askForInput(step: DecisionStep, task: TaskState, error: ErrorInfo): void {
  recovery(step, task, 'ask', error.message, {}, error);
  waitForPerson(step, task, error, {
    message: `${task.row.agent ?? task.row.nodeId} asks: ${error.message}`,
    options: INPUT_REQUEST_OPTIONS,
    urgency: 'normal',
    kind: 'input',
  });
}

/** A person answered: the next attempt receives the answer, and what the agent asked with, as its checkpoint. */
export function answerInput(step: DecisionStep, task: TaskState, reply: unknown, by: string): void {
  const { row } = task;
  const answer: InputReply = {
    kind: INPUT_REPLY_KIND,
    question: row.error?.message ?? '',
    request: row.error?.details ?? {},
    reply,
    by,
  };
  row.checkpoint = answer;
  readyNextAttempt(step, task);
}
