import type { EngineInput } from '../execution/engine-input.js';

/**
 * One dispatched attempt of an agent task, as the outbox holds it until a worker's outcome has been taken
 * (ADR 0004). Written by `commit` in the same transaction as the task row that started the attempt.
 */
export interface WorkItem {
  runId: string;
  taskKey: string;
  attempt: number;
  /** The agent, `id@version`. */
  agent: string;
  /** The agent pool whose workers run it. */
  pool: string;
  /** The node's inputs with every template resolved. */
  input: Record<string, unknown>;
  timeoutMs: number;
  /** The progress an earlier attempt saved, if any. */
  checkpoint?: unknown;
  runPriority: number;
  rank: number;
  /** When the driver queued it (ms since epoch): the reconciler signals items that waited too long. */
  queuedAt: number;
  /** From `pendingWork`: how many claims the item has seen, so its re-signal is a new one. */
  leaseVersion?: number;
}

/** A worker's hold on one work item: its outcome commits only while `leaseVersion` is still the item's. */
export interface WorkClaim {
  item: WorkItem;
  worker: string;
  leaseVersion: number;
}

/** What a worker reports: the same inputs the local task runner feeds to `decide`. */
export type WorkOutcome = Extract<EngineInput, { type: 'agent.succeeded' | 'agent.failed' }>;

/** An outcome left for the process that drives its run. */
export interface WorkResult {
  runId: string;
  outcome: WorkOutcome;
  /**
   * The checkpoint the item held when its outcome was taken: the last one a worker saved during the attempt,
   * else the one it was dispatched with. The driver records it on the task row before the outcome, so a retry
   * starts from it.
   */
  checkpoint?: unknown;
}

/**
 * The outbox of distributed mode, kept by the store beside the runs (ADR 0004). `RunDelta.work` items are
 * written by `commit` in the same transaction as the delta (a repeat of the same run, task and attempt is
 * ignored); a task row written in any status but `running` deletes that task's work, so a cancelled task's
 * signal finds nothing to claim and its worker loses its lease.
 *
 * Contract (the work store contract suite in `@baton/testing` checks it):
 * - `claimWork` succeeds only for an item that is queued, or claimed with a lease that ran out before `now`;
 *   every claim raises the item's lease version, so at most one claim is current.
 * - `renewWork`, `saveCheckpoint` and `completeWork` succeed only while the claim's lease version is the item's:
 *   a stale or paused worker never extends, overwrites or completes a newer claim.
 * - `saveCheckpoint` replaces the item's checkpoint: a later claim of the same attempt (its worker died) gets it
 *   as `item.checkpoint`, and `takeResults` returns it with the outcome. The last write wins; a worker keeps at
 *   most one write in flight per attempt, so writes of one claim arrive in the order they were made.
 * - `takeResults` returns completed outcomes of runs that `owner` drives, each with the item's checkpoint, and
 *   deletes them as it returns them.
 * - `pendingWork` returns items that wait for a worker: queued before `queuedBefore`, or claimed with a lease
 *   that ran out before `now` (those go back to queued), so a reconciler can signal them again.
 */
export interface WorkStore {
  claimWork(
    signal: { runId: string; taskKey: string; attempt: number },
    worker: string,
    now: number,
    leaseUntil: number,
  ): Promise<WorkClaim | undefined>;
  renewWork(claim: WorkClaim, leaseUntil: number): Promise<boolean>;
  /** Keeps a running attempt's progress on its item; resolves to `false` if the claim is stale (nothing written). */
  saveCheckpoint(claim: WorkClaim, data: unknown): Promise<boolean>;
  /** Leaves the outcome for the run's driver; resolves to the run's owner, or `undefined` if the claim is stale. */
  completeWork(claim: WorkClaim, outcome: WorkOutcome): Promise<{ owner: string | undefined } | undefined>;
  takeResults(owner: string, limit?: number): Promise<WorkResult[]>;
  pendingWork(now: number, queuedBefore: number, limit?: number): Promise<WorkItem[]>;
}
