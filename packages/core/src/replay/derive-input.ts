import type { EngineInput } from '../execution/engine-input.js';
import type { RunEvent } from '../execution/run-event.js';
import type { EngineRunState, TaskState } from '../execution/run-state.js';
import { deriveOperatorInput } from './operator-input.js';

/** The input a logged decision began with, or why the log cannot tell. */
export type DerivedInput = { input: EngineInput } | { problem: string };

type TaskEvent<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;

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
      return cancelledWithRun(log, from);
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
        },
      };
    case 'compensation.started':
    case 'compensation.succeeded':
    case 'compensation.failed':
      return compensation(state, event);
    case 'task.recovery':
      return recoveredFailure(state, log, from);
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

/** Cancelling a started run logs its open tasks' cancellations before `run.cancelled`, all at one time. */
function cancelledWithRun(log: readonly RunEvent[], from: number): DerivedInput {
  const at = (log[from] as RunEvent).at;
  for (let i = from; i < log.length; i++) {
    const event = log[i] as RunEvent;
    if (event.at !== at) break;
    if (event.type === 'run.cancelled') return { input: cancelFrom(event) };
  }
  return {
    problem: 'a task was cancelled, but no run.cancelled follows it',
  };
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

function failed(state: EngineRunState, event: TaskEvent<'task.failed' | 'task.retrying'>): DerivedInput {
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
 * A failure that error recovery handled begins with `task.recovery`. Only an optional task's skip logs the
 * failure itself next; a fallback or an escalation keeps the error as "CODE: message" text only, which is not
 * enough to rebuild it (its `retryable` and `details` decide what happens next).
 */
function recoveredFailure(state: EngineRunState, log: readonly RunEvent[], from: number): DerivedInput {
  const recovery = log[from] as TaskEvent<'task.recovery'>;
  for (let i = from + 1; i < log.length && (log[i] as RunEvent).at === recovery.at; i++) {
    const event = log[i] as RunEvent;
    if (
      (event.type === 'task.failed' || event.type === 'task.retrying') &&
      event.taskKey === recovery.taskKey
    ) {
      return failed(state, event);
    }
  }
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
