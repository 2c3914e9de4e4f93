/**
 * The run and task state machines. Every status change in the engine goes through `assertTransition`, so the
 * allowed moves live in these two tables and nowhere else.
 */

/**
 * Where a run is in its life. `waiting` means nothing can progress until a person, a timer or an event acts.
 * `rolling_back`: the compensations of completed steps run in reverse completion order; the run then ends
 * `rolled_back`, or `rollback_failed` when a compensation failed.
 */
export type RunStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'waiting'
  | 'rolling_back'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'rolled_back'
  | 'rollback_failed';

/** Where a task is in its life. `waiting`: an approval, a wait node, a retry back-off or a child run. */
export type TaskStatus =
  'pending' | 'ready' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** Where a run may go from each status. */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['paused', 'waiting', 'completed', 'failed', 'cancelled', 'rolling_back'],
  paused: ['running', 'waiting', 'cancelled', 'failed', 'rolling_back'],
  waiting: ['running', 'paused', 'completed', 'failed', 'cancelled', 'rolling_back'],
  rolling_back: ['rolled_back', 'rollback_failed'],
  completed: [],
  failed: [],
  cancelled: [],
  rolled_back: [],
  rollback_failed: [],
};

/** Where a task may go from each status. */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['ready', 'skipped', 'cancelled'],
  ready: ['running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled'],
  // running → running is a recovered attempt re-dispatched after a crash (same attempt number).
  running: ['running', 'waiting', 'succeeded', 'failed', 'cancelled'],
  // waiting → waiting is a waiting task (a child run, an approval, a wait) whose failure backs off before a retry.
  waiting: ['ready', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  skipped: [],
  cancelled: [],
};

/** Run statuses after which nothing more happens. */
export const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
  'rolled_back',
  'rollback_failed',
]);
/** Task statuses after which the task never changes again. */
export const SETTLED_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set([
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
]);

/** Whether a run may move from `from` to `to`. */
export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** Whether a task may move from `from` to `to`. */
export function canTransitionTask(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** Throws when a run may not move from `from` to `to`: a bug in the engine, never a workflow's doing. */
export function assertRunTransition(from: RunStatus, to: RunStatus): void {
  if (!canTransitionRun(from, to)) throw new Error(`run status cannot change from ${from} to ${to}`);
}

/** Throws when a task may not move from `from` to `to`: a bug in the engine, never a workflow's doing. */
export function assertTaskTransition(key: string, from: TaskStatus, to: TaskStatus): void {
  if (!canTransitionTask(from, to)) throw new Error(`task "${key}" cannot change from ${from} to ${to}`);
}
