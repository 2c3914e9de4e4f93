import { RUN_DEADLINE_KEY } from '../execution/budget.js';
import type { EngineInput } from '../execution/engine-input.js';
import type { ErrorInfo } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';
import type { EngineRunState, TaskState } from '../execution/run-state.js';
import { isSteppedThrough } from '../execution/step-through.js';
import { deriveOperatorInput } from './operator-input.js';

/** The input a logged decision began with, or why the log cannot tell. */
export type DerivedInput = { input: EngineInput } | { problem: string };

type TaskEvent<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

/** The message of a run past its `maxDurationMs` (budget.ts), which its pause or failure carries. */
const DURATION_OVERRUN = /^the run has taken \d+ ms, over its limit of \d+ ms$/;
/** How a rollback that a failure of the run itself started gives its reason (run-lifecycle.ts `failRun`). */
const RUN_FAILED_PREFIX = 'the run failed: ';

/**
 * Works out which input made the engine log `log[from]`, the first event not yet reproduced, given the state
 * the replay has reached. Every decision logs first an event that names its input (the agent's result, the
 * person's decision, the operator's act) or, for a timer, an event only that timer's firing produces; the rest
 * of the decision's events follow from the input and are checked, not read.
 */
export function deriveInput(state: EngineRunState, log: readonly RunEvent[], from: number): DerivedInput {
  const event = log[from] as RunEvent;
  if (event.type === 'operator.acted') return deriveOperatorInput(log, from);
  if (state.run.status === 'queued') {
    return { input: event.type === 'run.cancelled' ? cancelFrom(event) : { type: 'start' } };
  }
  switch (event.type) {
    // Logs written before operator acts were audited begin those decisions with the act's own event.
    case 'run.paused':
      if (overran(event)) return deadline(state);
      return {
        input: {
          type: 'pause',
          ...(event.by === undefined ? {} : { by: event.by }),
          ...(event.reason === undefined ? {} : { reason: event.reason }),
        },
      };
    case 'run.resumed':
      return { input: { type: 'resume', ...(event.by === undefined ? {} : { by: event.by }) } };
    case 'run.cancelled':
      return { input: cancelFrom(event) };
    case 'task.cancelled':
      return cancelledWithRun(state, log, from);
    case 'run.failed':
    case 'rollback.started':
      return overran(event) ? deadline(state) : unexplained(state, event);
    case 'task.held':
      return heldAgain(state, event);
    case 'task.started':
      return event.recovered === true ? { input: { type: 'recover' } } : unexplained(state, event);
    case 'task.succeeded':
      return succeeded(state, event);
    case 'task.failed':
    case 'task.retrying':
      return failed(state, event);
    case 'task.ready':
      // Only a back-off's timer makes an existing task ready again.
      return waitingFor(state, event.taskKey) === 'backoff' ? fired(event) : unexplained(state, event);
    case 'task.progress':
      return runningAgent(state, event.taskKey)
        ? {
            input: {
              type: 'agent.progress',
              taskKey: event.taskKey,
              ...(event.message === undefined ? {} : { message: event.message }),
              ...(event.data === undefined ? {} : { data: structuredClone(event.data) }),
            },
          }
        : unexplained(state, event);
    case 'approval.decided':
      if (event.auto)
        return waitingFor(state, event.taskKey) === 'approval' ? fired(event) : unexplained(state, event);
      return {
        input: {
          type: 'approval.decide',
          taskKey: event.taskKey,
          decision: event.decision,
          by: event.by,
          ...(event.comment === undefined ? {} : { comment: event.comment }),
          ...(event.reply === undefined ? {} : { reply: structuredClone(event.reply) }),
        },
      };
    case 'compensation.started':
    case 'compensation.succeeded':
    case 'compensation.failed':
      return compensation(state, event);
    case 'task.recovery':
      return recovered(state, log, from);
    case 'event.emitted':
      // An emit node logs its event inside the decision that ran it; one from outside carries no task.
      return event.taskKey === undefined
        ? { input: { type: 'event.publish', name: event.name, payload: structuredClone(event.payload) } }
        : unexplained(state, event);
    default:
      return unexplained(state, event);
  }
}

function cancelFrom(event: TaskEvent<'run.cancelled'>): EngineInput {
  return {
    type: 'cancel',
    ...(event.by === undefined ? {} : { by: event.by }),
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  };
}

/**
 * Ending a started run logs its open tasks' cancellations first, all at one time: before `run.cancelled`
 * when it was cancelled, before `run.failed` (or `rollback.started`) when its duration limit fell due.
 */
function cancelledWithRun(state: EngineRunState, log: readonly RunEvent[], from: number): DerivedInput {
  const at = (log[from] as RunEvent).at;
  for (let i = from; i < log.length; i++) {
    const event = log[i] as RunEvent;
    if (event.at !== at) break;
    if (event.type === 'run.cancelled') return { input: cancelFrom(event) };
    if (overran(event)) return deadline(state);
  }
  return {
    problem: 'a task was cancelled, but neither run.cancelled nor a duration overrun follows it',
  };
}

/**
 * Whether an event is the run's reaction to its `maxDurationMs` falling due — a pause by `budget`, a failure
 * with BUDGET_EXCEEDED over `maxDurationMs`, or the rollback such a failure starts. Other budget limits are
 * crossed by a decision's own input, so their reaction never begins a decision.
 */
function overran(event: RunEvent): boolean {
  switch (event.type) {
    case 'run.paused':
      return event.by === 'budget' && DURATION_OVERRUN.test(event.reason ?? '');
    case 'run.failed':
      return event.error.code === 'BUDGET_EXCEEDED' && event.error.details?.['limit'] === 'maxDurationMs';
    case 'rollback.started':
      return (
        event.by === undefined &&
        event.reason.startsWith(RUN_FAILED_PREFIX) &&
        DURATION_OVERRUN.test(event.reason.slice(RUN_FAILED_PREFIX.length))
      );
    default:
      return false;
  }
}

/** The run's duration timer (`~deadline`) fired; its limit comes from the workflow or the org's caps. */
function deadline(state: EngineRunState): DerivedInput {
  if (state.budget?.maxDurationMs === undefined) {
    return {
      problem:
        "the log shows the run's duration limit falling due, but neither the workflow nor the org's limits given to the replay set maxDurationMs",
    };
  }
  return fired({ taskKey: RUN_DEADLINE_KEY });
}

/**
 * A step-through task is held again when a restart finds it still ready: only `recover` activates a task
 * that was ready before the decision (a resume or a step logs its own event first).
 */
function heldAgain(state: EngineRunState, event: TaskEvent<'task.held'>): DerivedInput {
  const task = state.byKey.get(event.taskKey);
  return task?.row.status === 'ready' && isSteppedThrough(state.run)
    ? { input: { type: 'recover' } }
    : unexplained(state, event);
}

function succeeded(state: EngineRunState, event: TaskEvent<'task.succeeded'>): DerivedInput {
  const task = state.byKey.get(event.taskKey);
  if (!task) return unexplained(state, event);
  const { row } = task;
  const node = task.info.node;
  // The event carries the task's whole cost; the input brought only what the task had not cost before.
  const costUsd = event.costUsd - row.costUsd;
  if (runningAgent(state, event.taskKey)) {
    const stale = staleAttempt(task, event);
    if (stale) return stale;
    return {
      input: {
        type: 'agent.succeeded',
        taskKey: event.taskKey,
        attempt: event.attempt,
        output: structuredClone(event.output),
        costUsd,
      },
    };
  }
  if (node.type === 'subworkflow' && task.waitingFor === 'child') {
    const output = event.output;
    if (typeof output !== 'object' || output === null || Array.isArray(output)) {
      return {
        problem: `the outputs of the child run of "${event.taskKey}" are not an object`,
      };
    }
    return {
      input: {
        type: 'child.completed',
        taskKey: event.taskKey,
        output: structuredClone(output) as Record<string, unknown>,
        costUsd,
        attempt: event.attempt,
      },
    };
  }
  if (node.type === 'wait' && task.waitingFor === 'timer') return fired(event);
  return unexplained(state, event);
}

/** An event that records a task's failure whole. */
type Failure = TaskEvent<'task.failed' | 'task.retrying' | 'task.recovery'> & { error: ErrorInfo };

function failed(state: EngineRunState, event: Failure): DerivedInput {
  const task = state.byKey.get(event.taskKey);
  if (!task) return unexplained(state, event);
  const node = task.info.node;
  const error = structuredClone(event.error);
  if (runningAgent(state, event.taskKey)) {
    return (
      staleAttempt(task, event) ?? {
        input: { type: 'agent.failed', taskKey: event.taskKey, attempt: event.attempt, error },
      }
    );
  }
  if (node.type === 'subworkflow' && task.waitingFor === 'child') {
    return { input: { type: 'child.failed', taskKey: event.taskKey, error, attempt: event.attempt } };
  }
  // An event wait whose timeout passed fails with TIMEOUT; its timer is the input.
  if (node.type === 'wait' && task.waitingFor === 'event' && task.row.wakeAt !== undefined)
    return fired(event);
  return unexplained(state, event);
}

/**
 * A decision that begins with `task.recovery`. A failure that error recovery handled (a fallback to another
 * agent, an escalation) logs it first, with the whole error; an optional task's skip logs the failure itself
 * right after. Without an error (logs written before recovery kept it) the failure is only "CODE: message"
 * text, not enough to rebuild it: its `retryable` and `details` decide what happens next. A recovery without
 * a failure — passing over an open breaker, waiting for one — is an activation's, which begins a decision only
 * when a restart activates a task left ready.
 */
function recovered(state: EngineRunState, log: readonly RunEvent[], from: number): DerivedInput {
  const recovery = log[from] as TaskEvent<'task.recovery'>;
  if (recovery.error !== undefined) return failed(state, { ...recovery, error: recovery.error });
  for (
    let i = from + 1;
    recovery.action === 'skip' && i < log.length && (log[i] as RunEvent).at === recovery.at;
    i++
  ) {
    const event = log[i] as RunEvent;
    if (
      (event.type === 'task.failed' || event.type === 'task.retrying') &&
      event.taskKey === recovery.taskKey
    ) {
      return failed(state, event);
    }
  }
  const ready = state.byKey.get(recovery.taskKey)?.row.status === 'ready';
  if (ready && (recovery.action === 'fallback' || recovery.action === 'wait'))
    return { input: { type: 'recover' } };
  return {
    problem: `the ${recovery.action} of "${recovery.taskKey}" records the failure behind it only as text ("${recovery.reason}"); the input cannot be rebuilt from the log`,
  };
}

/** A compensation of a rollback: its row lives outside the workflow's scopes, under its own key. */
function compensation(
  state: EngineRunState,
  event: TaskEvent<'compensation.started' | 'compensation.succeeded' | 'compensation.failed'>,
): DerivedInput {
  const { taskKey } = event;
  const row = state.compensations.get(taskKey);
  if (!row) return unexplained(state, event);
  const current = row.status === 'running' && row.attempt === event.attempt;
  switch (event.type) {
    case 'compensation.succeeded':
      if (!current) break;
      return {
        input: {
          type: 'agent.succeeded',
          taskKey,
          attempt: event.attempt,
          output: structuredClone(event.output),
          costUsd: event.costUsd - row.costUsd,
        },
      };
    case 'compensation.failed':
      if (!current) break;
      return {
        input: { type: 'agent.failed', taskKey, attempt: event.attempt, error: structuredClone(event.error) },
      };
    case 'compensation.started':
      // A retry's timer starts the next attempt; a restart starts the same one again.
      if (row.status === 'waiting') return fired({ taskKey });
      if (current) return { input: { type: 'recover' } };
      break;
  }
  return unexplained(state, event);
}

function fired(event: { taskKey: string }): DerivedInput {
  return { input: { type: 'timer.fired', taskKey: event.taskKey } };
}

function runningAgent(state: EngineRunState, taskKey: string): boolean {
  const task = state.byKey.get(taskKey);
  return task?.info.node.type === 'agent' && task.row.status === 'running';
}

function waitingFor(state: EngineRunState, taskKey: string): TaskState['waitingFor'] {
  const task = state.byKey.get(taskKey);
  return task?.row.status === 'waiting' ? task.waitingFor : undefined;
}

function staleAttempt(
  task: TaskState,
  event: { seq: number; attempt: number; taskKey: string },
): DerivedInput | undefined {
  if (task.row.attempt === event.attempt) return undefined;
  return {
    problem: `the log has attempt ${event.attempt} of "${event.taskKey}", the replay is at attempt ${task.row.attempt}`,
  };
}

/** No input of the engine starts a decision with this event, in the state the replay reached. */
function unexplained(state: EngineRunState, event: RunEvent): DerivedInput {
  const key = 'taskKey' in event ? event.taskKey : undefined;
  const task = key === undefined ? undefined : state.byKey.get(key);
  const where =
    key === undefined
      ? `the run is ${state.run.status}`
      : task
        ? `task "${key}" is ${task.row.status}${task.waitingFor ? ` (waiting for ${task.waitingFor})` : ''}`
        : `task "${key}" does not exist yet`;
  return {
    problem: `no input the log records explains a decision that begins with ${event.type} (${where})`,
  };
}
