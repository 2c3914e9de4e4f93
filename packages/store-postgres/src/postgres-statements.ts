import type { RunQuery } from '@baton/core';
import { UNFINISHED_STATUSES_SQL } from './migrations/0004-rollback-statuses.js';
import {
  EVENT_COLUMNS,
  OPEN_REQUEST_COLUMNS,
  RUN_COLUMNS,
  RUN_FIELD_COLUMNS,
  SETTLEMENT_COLUMNS,
  TASK_COLUMNS,
  WORK_COLUMNS,
  type Column,
} from './row-codec.js';

/**
 * A statement the driver prepares once per connection under `name` and then only binds and executes: the
 * server parses and plans it once, and later calls send just the parameters.
 */
export interface Statement {
  name: string;
  text: string;
}

const names = (columns: readonly Column<never>[], prefix = ''): string =>
  columns.map((column) => `${prefix}${column.name}`).join(', ');

/** `$n::type[], …` for the columns, numbered from `first`. */
const arrays = (columns: readonly Column<never>[], first: number): string =>
  columns.map((column, i) => `$${first + i}::${column.type}[]`).join(', ');

/**
 * The group commit as one statement — one round trip, and atomic without BEGIN/COMMIT, whatever the number of
 * runs, tasks and events. Every column travels as one array parameter and `unnest` turns the arrays back into
 * rows (see `commitParams`). Data-modifying CTEs all run against the same snapshot, so runs created here are
 * inserted whole (their changes folded in beforehand), while the foreign keys of tasks and events are checked
 * at the end of the statement, when those runs exist. A change to a run that does not exist raises from
 * `baton_missing_run`, which aborts the statement and so keeps nothing of the commit.
 *
 * The outbox arrives reduced (see `reduceWork`): the tasks whose work the commit drops, and the items left after
 * it. No CTE sees another's changes and none may touch a row another touches, so the two sets are applied to
 * disjoint rows: `work_dropped` deletes the stored rows of dropped tasks except those of an attempt the commit
 * writes again, and `work_written` inserts the items, a conflict with a stored row doing nothing unless the
 * row's task is dropped, in which case the item replaces it as a fresh, queued row. The replaced row keeps its
 * lease version (the next claim raises it), so a claim on the dropped row can never match a later one. A commit
 * without work binds empty arrays; only dropped tasks cost an index probe each.
 *
 * `commands_settled` settles the operator commands the deltas applied or refused (one settlement per command,
 * see `commitRows`), only those still unsettled, so a command settled before keeps its first result. It fails
 * or succeeds with the rest of the statement.
 *
 * The open requests arrive reduced too (see `reduceRequests`), as three sets of disjoint rows: `requests_opened`
 * inserts or replaces each task's request, `requests_closed` deletes decided ones and `requests_ended` every
 * request of the runs the commit ends. A step of a run that asks no one binds three empty sets; ending a run
 * costs one probe of the table's key.
 */
export const COMMIT: Statement = (() => {
  let next = 1;
  const take = (count: number): number => {
    const first = next;
    next += count;
    return first;
  };
  const runs = take(RUN_COLUMNS.length);
  const changeId = take(1);
  const changeMask = take(1);
  const changes = take(RUN_FIELD_COLUMNS.length);
  const tasks = take(TASK_COLUMNS.length);
  const events = take(EVENT_COLUMNS.length);
  const drops = take(2);
  const work = take(WORK_COLUMNS.length);
  const settlements = take(SETTLEMENT_COLUMNS.length);
  const opened = take(OPEN_REQUEST_COLUMNS.length);
  const closed = take(2);
  const ended = take(1);
  const sets = RUN_FIELD_COLUMNS.map(
    (column) =>
      `${column.name} = CASE WHEN c.mask & ${column.bit} = 0 THEN r.${column.name} ELSE c.${column.name} END`,
  );
  const taskUpdates = TASK_COLUMNS.slice(2).map((column) => `${column.name} = excluded.${column.name}`);
  const workUpdates = WORK_COLUMNS.slice(3).map((column) => `${column.name} = excluded.${column.name}`);
  const requestUpdates = OPEN_REQUEST_COLUMNS.slice(2).map(
    (column) => `${column.name} = excluded.${column.name}`,
  );
  return {
    name: 'baton_commit',
    text: `
      WITH created AS (
        INSERT INTO runs (${names(RUN_COLUMNS)})
        SELECT * FROM unnest(${arrays(RUN_COLUMNS, runs)})
      ), changes AS (
        SELECT * FROM unnest($${changeId}::text[], $${changeMask}::integer[], ${arrays(RUN_FIELD_COLUMNS, changes)})
          AS c (id, mask, ${names(RUN_FIELD_COLUMNS)})
      ), changed AS (
        UPDATE runs r SET ${sets.join(', ')}
        FROM changes c WHERE r.id = c.id
        RETURNING r.id
      ), tasks_written AS (
        INSERT INTO tasks (${names(TASK_COLUMNS)})
        SELECT * FROM unnest(${arrays(TASK_COLUMNS, tasks)})
        ON CONFLICT (run_id, key) DO UPDATE SET ${taskUpdates.join(', ')}
      ), events_written AS (
        INSERT INTO events (${names(EVENT_COLUMNS)})
        SELECT * FROM unnest(${arrays(EVENT_COLUMNS, events)})
      ), work_drops AS (
        SELECT * FROM unnest($${drops}::text[], $${drops + 1}::text[]) AS d (run_id, task_key)
      ), work_items AS (
        SELECT * FROM unnest(${arrays(WORK_COLUMNS, work)}) AS i (${names(WORK_COLUMNS)})
      ), work_dropped AS (
        DELETE FROM work w USING work_drops d
        WHERE w.run_id = d.run_id AND w.task_key = d.task_key
          AND NOT EXISTS (SELECT FROM work_items i
                          WHERE i.run_id = w.run_id AND i.task_key = w.task_key AND i.attempt = w.attempt)
      ), work_written AS (
        INSERT INTO work (${names(WORK_COLUMNS)})
        SELECT * FROM work_items
        ON CONFLICT (run_id, task_key, attempt) DO UPDATE
        SET ${workUpdates.join(', ')}, state = 'queued', worker = NULL, lease_until = NULL, outcome = NULL
        WHERE EXISTS (SELECT FROM work_drops d WHERE d.run_id = work.run_id AND d.task_key = work.task_key)
      ), commands_settled AS (
        UPDATE run_commands c SET settled_at = s.settled_at, result = s.result
        FROM unnest(${arrays(SETTLEMENT_COLUMNS, settlements)}) AS s (${names(SETTLEMENT_COLUMNS)})
        WHERE c.id = s.id AND c.settled_at IS NULL
      ), requests_opened AS (
        INSERT INTO open_requests (${names(OPEN_REQUEST_COLUMNS)})
        SELECT * FROM unnest(${arrays(OPEN_REQUEST_COLUMNS, opened)})
        ON CONFLICT (run_id, task_key) DO UPDATE SET ${requestUpdates.join(', ')}
      ), requests_closed AS (
        DELETE FROM open_requests o USING unnest($${closed}::text[], $${closed + 1}::text[]) AS d (run_id, task_key)
        WHERE o.run_id = d.run_id AND o.task_key = d.task_key
      ), requests_ended AS (
        DELETE FROM open_requests o WHERE o.run_id = ANY ($${ended}::text[])
      )
      SELECT baton_missing_run(c.id) FROM changes c WHERE c.id NOT IN (SELECT id FROM changed)`,
  };
})();

/**
 * Saves a workflow version unless that id and version exist; says whether it inserted and, if not, whether the
 * stored body is equal. `jsonb` equality ignores key order, which is the equality the contract asks for.
 */
export const SAVE_WORKFLOW: Statement = {
  name: 'baton_save_workflow',
  text: `
    WITH inserted AS (
      INSERT INTO workflows (id, version, saved_at, body) VALUES ($1, $2, $3, $4::jsonb)
      ON CONFLICT (id, version) DO NOTHING
      RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM inserted) AS inserted,
           (SELECT body = $4::jsonb FROM workflows WHERE id = $1 AND version = $2) AS same`,
};

/** One workflow version. */
export const WORKFLOW_VERSION: Statement = {
  name: 'baton_workflow_version',
  text: 'SELECT body, saved_at FROM workflows WHERE id = $1 AND version = $2',
};

/** The version of a workflow saved last (ties broken by insertion order). */
export const WORKFLOW_LATEST: Statement = {
  name: 'baton_workflow_latest',
  text: 'SELECT body, saved_at FROM workflows WHERE id = $1 ORDER BY saved_at DESC, seq DESC LIMIT 1',
};

/** The version saved last of every workflow. */
export const WORKFLOWS_LATEST: Statement = {
  name: 'baton_workflows_latest',
  text: 'SELECT DISTINCT ON (id) body, saved_at FROM workflows ORDER BY id, saved_at DESC, seq DESC',
};

const RUN_SELECT = `SELECT ${names(RUN_COLUMNS)} FROM runs`;

/** One run row. */
export const SELECT_RUN: Statement = { name: 'baton_select_run', text: `${RUN_SELECT} WHERE id = $1` };

/** A run's task rows, by key. */
export const SELECT_TASKS: Statement = {
  name: 'baton_select_tasks',
  text: `SELECT ${names(TASK_COLUMNS)} FROM tasks WHERE run_id = $1 ORDER BY key`,
};

/** A run's events after a seq, in order; a NULL limit is no limit. */
export const SELECT_EVENTS: Statement = {
  name: 'baton_select_events',
  text: `SELECT ${names(EVENT_COLUMNS)} FROM events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
};

/**
 * Takes over claimable runs. The picking SELECT locks the runs it picks and skips runs another claimer has
 * locked at that moment, so two processes claiming at once never both take a run; a row that changed since the
 * statement began is checked against the conditions again before it is locked. The CTE is materialised so the
 * pick (and its LIMIT) runs exactly once.
 */
export const CLAIM: Statement = {
  name: 'baton_claim',
  text: `
    WITH picked AS MATERIALIZED (
      SELECT id FROM runs
      WHERE status IN (${UNFINISHED_STATUSES_SQL})
        AND (owner IS NULL OR lease_until IS NULL OR lease_until < $2 OR owner = ANY ($5::text[]))
      ORDER BY priority DESC, created_at, id
      LIMIT $4
      FOR UPDATE SKIP LOCKED)
    UPDATE runs r SET owner = $1, lease_until = $3
    FROM picked WHERE r.id = picked.id
    RETURNING r.id`,
};

/** The distinct owners of unfinished runs (an index-only scan of the partial owner index). */
export const OWNERS: Statement = {
  name: 'baton_owners',
  text: `SELECT DISTINCT owner FROM runs
         WHERE status IN (${UNFINISHED_STATUSES_SQL}) AND owner IS NOT NULL ORDER BY owner`,
};

/** Extends the lease on the runs the owner still holds; returns their ids. */
export const RENEW: Statement = {
  name: 'baton_renew',
  text: 'UPDATE runs SET lease_until = $3 WHERE owner = $1 AND id = ANY ($2::text[]) RETURNING id',
};

/** Clears the owner's claim on the runs. */
export const RELEASE: Statement = {
  name: 'baton_release',
  text: 'UPDATE runs SET owner = NULL, lease_until = NULL WHERE owner = $1 AND id = ANY ($2::text[])',
};

/**
 * The SELECT for one shape of run query (which filters are present), newest first, and its parameters. Each
 * shape is its own prepared statement, planned for the index that serves it.
 */
export function listRuns(query: RunQuery, defaultLimit: number): { statement: Statement; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  let shape = '';
  if (typeof query.status === 'string') {
    values.push(query.status);
    where.push(`status = $${values.length}`);
    shape += 's';
  } else if (query.status !== undefined) {
    values.push(query.status);
    where.push(`status = ANY ($${values.length}::text[])`);
    shape += 'm';
  }
  if (query.workflowId !== undefined) {
    values.push(query.workflowId);
    where.push(`workflow_id = $${values.length}`);
    shape += 'w';
  }
  if (query.before !== undefined) {
    values.push(query.before.createdAt, query.before.id);
    where.push(`(created_at, id) < ($${values.length - 1}::double precision, $${values.length}::text)`);
    shape += 'b';
  }
  values.push(query.limit ?? defaultLimit);
  const text = `${RUN_SELECT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, id DESC LIMIT $${values.length}`;
  return { statement: { name: `baton_list_runs_${shape}`, text }, values };
}
