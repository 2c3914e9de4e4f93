import type { WorkClaim, WorkItem, WorkOutcome, WorkResult } from '@baton/core';
import { jsonb, parseJsonb } from './jsonb-text.js';
import type { Statement } from './postgres-statements.js';
import { WORK_COLUMNS, toWorkItem, type WorkRow } from './row-codec.js';

const ITEM = WORK_COLUMNS.map((column) => column.name).join(', ');
const sameItem = (a: string, b: string): string =>
  `${a}.run_id = ${b}.run_id AND ${a}.task_key = ${b}.task_key AND ${a}.attempt = ${b}.attempt`;

/** The order the reconciler signals lost work in: higher run priority, then higher rank, then older. */
const PENDING_ORDER = 'run_priority DESC, rank DESC, queued_at, run_id, task_key, attempt';

/**
 * Claims one item: only a queued one, or one whose lease ran out before `$5`. A second claimer blocked on the
 * row lock re-checks the condition against the first claimer's row and finds it claimed, so at most one of
 * them gets it; every claim raises the lease version.
 */
export const CLAIM_WORK: Statement = {
  name: 'baton_claim_work',
  text: `
    UPDATE work SET state = 'claimed', worker = $4, lease_until = $6, lease_version = lease_version + 1
    WHERE run_id = $1 AND task_key = $2 AND attempt = $3
      AND (state = 'queued' OR (state = 'claimed' AND lease_until < $5))
    RETURNING ${ITEM}, lease_version`,
};

const CURRENT = `run_id = $1 AND task_key = $2 AND attempt = $3 AND state = 'claimed' AND lease_version = $4
      AND worker = $5`;

/** Extends a claim's lease while it is still the current claim. */
export const RENEW_WORK: Statement = {
  name: 'baton_renew_work',
  text: `UPDATE work SET lease_until = $6 WHERE ${CURRENT} RETURNING lease_version`,
};

/** Replaces the checkpoint of the current claim's item (`$6` NULL: none). */
export const SAVE_WORK_CHECKPOINT: Statement = {
  name: 'baton_save_work_checkpoint',
  text: `UPDATE work SET checkpoint = $6::jsonb WHERE ${CURRENT} RETURNING lease_version`,
};

/** Leaves the outcome of the current claim for the run's owner, and returns that owner (NULL when none). */
export const COMPLETE_WORK: Statement = {
  name: 'baton_complete_work',
  text: `
    WITH done AS (
      UPDATE work SET state = 'done', outcome = $6::jsonb WHERE ${CURRENT} RETURNING run_id
    )
    SELECT r.owner FROM done LEFT JOIN runs r ON r.id = done.run_id`,
};

/**
 * Deletes and returns up to `$2` outcomes (NULL: all) of runs `$1` owns, each with its item's checkpoint. The pick locks what it takes and
 * skips rows another taker has locked, and a row that taker deleted in the meantime is no longer there to
 * lock, so two takers never both return one outcome.
 */
export const TAKE_RESULTS: Statement = {
  name: 'baton_take_results',
  text: `
    WITH picked AS MATERIALIZED (
      SELECT w.run_id, w.task_key, w.attempt FROM work w JOIN runs r ON r.id = w.run_id
      WHERE w.state = 'done' AND r.owner = $1
      LIMIT $2
      FOR UPDATE OF w SKIP LOCKED)
    DELETE FROM work w USING picked p WHERE ${sameItem('w', 'p')}
    RETURNING w.run_id, w.outcome, w.checkpoint`,
};

/**
 * The reconciler's view: up to `$3` items (NULL: all), in signal order, that are queued since before `$2` or
 * claimed with a lease that ran out before `$1`; those claimed are put back to queued in the same statement.
 * The pick locks its rows and skips those locked at that moment (a worker claiming or a commit dropping one).
 */
export const PENDING_WORK: Statement = {
  name: 'baton_pending_work',
  text: `
    WITH picked AS MATERIALIZED (
      SELECT ${ITEM}, state, lease_version FROM work
      WHERE (state = 'claimed' AND lease_until < $1) OR (state = 'queued' AND queued_at < $2)
      ORDER BY ${PENDING_ORDER}
      LIMIT $3
      FOR UPDATE SKIP LOCKED
    ), requeued AS (
      UPDATE work w SET state = 'queued', worker = NULL, lease_until = NULL
      FROM picked p WHERE p.state = 'claimed' AND ${sameItem('w', 'p')}
    )
    SELECT ${ITEM}, lease_version FROM picked ORDER BY ${PENDING_ORDER}`,
};

/** Sends one statement and resolves to its rows, errors mapped (the store's `#query`). */
export type RunStatement = <R>(doing: string, statement: Statement, values: () => unknown[]) => Promise<R[]>;

/**
 * The `WorkStore` half of `PostgresStore`: each call is one statement (see the statements above). The rows
 * are written by `commit` (see `COMMIT`).
 */
export class PostgresWork {
  constructor(private readonly run: RunStatement) {}

  async claim(
    signal: { runId: string; taskKey: string; attempt: number },
    worker: string,
    now: number,
    leaseUntil: number,
  ): Promise<WorkClaim | undefined> {
    const [row] = await this.run<WorkRow & { lease_version: number }>('claiming work', CLAIM_WORK, () => [
      signal.runId,
      signal.taskKey,
      signal.attempt,
      worker,
      now,
      leaseUntil,
    ]);
    return row && { item: toWorkItem(row), worker, leaseVersion: row.lease_version };
  }

  async renew(claim: WorkClaim, leaseUntil: number): Promise<boolean> {
    const rows = await this.run('renewing work', RENEW_WORK, () => [...claimKey(claim), leaseUntil]);
    return rows.length > 0;
  }

  async saveCheckpoint(claim: WorkClaim, data: unknown): Promise<boolean> {
    const rows = await this.run('saving a checkpoint', SAVE_WORK_CHECKPOINT, () => [
      ...claimKey(claim),
      jsonb(data),
    ]);
    return rows.length > 0;
  }

  async complete(claim: WorkClaim, outcome: WorkOutcome): Promise<{ owner: string | undefined } | undefined> {
    const [row] = await this.run<{ owner: string | null }>('completing work', COMPLETE_WORK, () => [
      ...claimKey(claim),
      jsonb(outcome),
    ]);
    return row && { owner: row.owner ?? undefined };
  }

  async take(owner: string, limit?: number): Promise<WorkResult[]> {
    const rows = await this.run<{ run_id: string; outcome: string; checkpoint: string | null }>(
      'taking results',
      TAKE_RESULTS,
      () => [owner, limitOf(limit)],
    );
    return rows.map((row) => ({
      runId: row.run_id,
      outcome: parseJsonb<WorkOutcome>(row.outcome),
      // A NULL checkpoint is an absent one; a JSON `null` one stays `null`.
      ...(row.checkpoint === null ? {} : { checkpoint: parseJsonb(row.checkpoint) }),
    }));
  }

  async pending(now: number, queuedBefore: number, limit?: number): Promise<WorkItem[]> {
    const rows = await this.run<WorkRow & { lease_version: number }>(
      'looking for pending work',
      PENDING_WORK,
      () => [now, queuedBefore, limitOf(limit)],
    );
    // The lease version tells the reconciler's signal apart from one a dead worker may still hold.
    return rows.map((row) => ({
      ...toWorkItem(row),
      ...(row.lease_version > 0 ? { leaseVersion: row.lease_version } : {}),
    }));
  }
}

/** A `LIMIT` parameter: NULL (no limit) for an absent or infinite one. */
function limitOf(limit: number | undefined): number | null {
  return limit === undefined || !Number.isFinite(limit) ? null : Math.max(0, Math.floor(limit));
}

function claimKey(claim: WorkClaim): unknown[] {
  const { item } = claim;
  return [item.runId, item.taskKey, item.attempt, claim.leaseVersion, claim.worker];
}
