/**
 * How `BullmqWorkQueue` lays out core's `WorkSignal` in BullMQ: job ids, queue names and priorities.
 *
 * A signal says "this task attempt is ready to run", between the outbox dispatcher (or the reconciler) and the
 * workers. It is a signal, not the task: PostgreSQL holds the task, and the handler reads and claims it there.
 * That is why a signal may be lost, repeated or late without harm. Each pool gets a BullMQ queue of its own.
 */
import type { WorkSignal } from '@baton/core';

/**
 * The BullMQ job id of a signal: the same run, task and attempt always give the same id, so adding a signal
 * twice is a no-op while the first is still in Redis.
 *
 * BullMQ refuses ids that contain `:` or read as an integer. Each part is URI-encoded (which also escapes
 * `:`, `/`, `{` and `}`) and the parts are joined by `/`, which encoding never leaves in a part: the id is
 * injective, never an integer, and free of Redis Cluster hash tags.
 */
export function workJobId(signal: Pick<WorkSignal, 'runId' | 'taskKey' | 'attempt' | 'generation'>): string {
  if (!Number.isSafeInteger(signal.attempt) || signal.attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${signal.attempt}`);
  }
  const id = `${encodeURIComponent(signal.runId)}/${encodeURIComponent(signal.taskKey)}/${signal.attempt}`;
  // A re-signal after a lost claim gets its own id: the dead consumer's job may still sit in Redis as active.
  return signal.generation ? `${id}/g${signal.generation}` : id;
}

/** The task key inside a job id made by `workJobId`. */
export function taskKeyOfJobId(jobId: string): string | undefined {
  const part = jobId.split('/')[1];
  return part === undefined ? undefined : decodeURIComponent(part);
}

/**
 * The BullMQ queue name of a pool. Queue names may not contain `:` (BullMQ builds keys as
 * `<prefix>:<queue>:…`), so the pool is URI-encoded: `domain:legal` becomes `pool-domain%3Alegal`.
 */
export function poolQueueName(pool: string): string {
  return `pool-${encodeURIComponent(pool)}`;
}

/** BullMQ's largest priority (2^21 − 1). Its 0 means "no priority" and jumps ahead of every prioritized job. */
export const BULLMQ_MAX_PRIORITY = 2 ** 21 - 1;
/** Run priorities 0–100 are 101 bands; each band holds this many rank levels. */
const BAND = Math.floor(BULLMQ_MAX_PRIORITY / 101);
/** Rank levels per doubling of the rank: 32 doublings (ranks up to ~50 days in ms) fill a band. */
const LEVELS_PER_DOUBLING = Math.floor((BAND - 1) / 32);

/**
 * Maps a signal's run priority and rank onto BullMQ's priority, where a lower number runs first and the
 * range is bounded (1 to 2^21 − 1; 0 is avoided because BullMQ runs unprioritized jobs before all others).
 *
 * - The run priority (clamped to 0–100, rounded) picks one of 101 bands of 20,763 numbers; priority 100 gets
 *   the lowest band, so a higher run priority always runs first, whatever the ranks.
 * - Within a band the rank picks a level on a log scale, `log2(1 + rank) × 648`, capped at the band: ranks
 *   up to ~900 ms keep whole-millisecond resolution, larger ones about 0.1%. A higher rank gets a lower number.
 * - Equal numbers run in the order they were added (BullMQ keeps FIFO within one priority).
 */
export function bullmqPriority(runPriority: number, rank: number): number {
  const band = 100 - clamp(Math.round(runPriority), 0, 100);
  const level = clamp(Math.floor(Math.log2(1 + Math.max(0, rank)) * LEVELS_PER_DOUBLING), 0, BAND - 1);
  return 1 + band * BAND + (BAND - 1 - level);
}

/** Clamps to [min, max]; NaN becomes `min` (the lowest priority), so a bad number never jumps the queue. */
function clamp(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return min;
  return Math.min(max, Math.max(min, value));
}
