import type { Migration } from '../migrations.js';

/**
 * The statuses of runs that are not finished, spelled out because a partial index's predicate is part of the
 * schema: queries repeat this exact list so the planner can use the indexes. A test checks it against core.
 */
export const UNFINISHED_STATUSES_SQL = "'queued', 'running', 'paused', 'waiting', 'rolling_back'";

/**
 * A run that is rolling back is unfinished: it must be claimed after a crash so its compensations go on. The
 * two partial indexes over unfinished runs are rebuilt with the new list (in the migration's transaction, so
 * the table is never without them).
 */
export const rollbackStatuses: Migration = {
  version: 4,
  name: 'rollback-statuses',
  sql: `
    DROP INDEX runs_unfinished_claim;
    DROP INDEX runs_unfinished_owner;
    CREATE INDEX runs_unfinished_claim ON runs (priority DESC, created_at, id)
      WHERE status IN (${UNFINISHED_STATUSES_SQL});
    CREATE INDEX runs_unfinished_owner ON runs (owner)
      WHERE status IN (${UNFINISHED_STATUSES_SQL}) AND owner IS NOT NULL;
  `,
};
