import type Database from 'better-sqlite3';
import {
  FINAL_RUN_STATUSES,
  RUN_TRANSITIONS,
  type EventRow,
  type RunQuery,
  type RunRow,
  type RunStatus,
  type TaskRow,
  type WorkflowRow,
} from '@baton/core';
import { INSERT_EVENT_SQL, RUN_COLUMNS, UPSERT_TASK_SQL } from './row-codec.js';

/** The statuses of runs that are not finished, as an SQL list: only these are ever claimed. */
const UNFINISHED_SQL = (Object.keys(RUN_TRANSITIONS) as RunStatus[])
  .filter((status) => !FINAL_RUN_STATUSES.has(status))
  .map((status) => `'${status}'`)
  .join(', ');

type ClaimParams = { owner: string; leaseUntil: number; now: number; limit: number; takeFrom: string };
type LeaseParams = { owner: string; ids: string; leaseUntil: number };
type ReleaseParams = { owner: string; ids: string };

/** Every fixed statement of the store, prepared once when the store opens. */
export interface Statements {
  insertWorkflow: Database.Statement<[string, string, number, string]>;
  workflowVersion: Database.Statement<[string, string], WorkflowRow>;
  workflowLatest: Database.Statement<[string], WorkflowRow>;
  workflowsLatest: Database.Statement<[], WorkflowRow>;
  insertRun: Database.Statement;
  selectRun: Database.Statement<[string], RunRow>;
  selectTasks: Database.Statement<[string], TaskRow>;
  upsertTask: Database.Statement;
  insertEvent: Database.Statement;
  selectEvents: Database.Statement<[string, number, number], EventRow>;
  claim: Database.Statement<ClaimParams, string>;
  owners: Database.Statement<[], string>;
  renew: Database.Statement<LeaseParams, string>;
  release: Database.Statement<ReleaseParams>;
}

/**
 * Prepares the store's fixed statements. Lists of ids travel as one JSON array parameter read with
 * `json_each`, so one prepared statement serves any number of ids.
 */
export function prepareStatements(db: Database.Database): Statements {
  return {
    insertWorkflow: db.prepare<[string, string, number, string]>(
      'INSERT INTO workflows (id, version, saved_at, body) VALUES (?, ?, ?, ?)',
    ),
    workflowVersion: db.prepare<[string, string], WorkflowRow>(
      'SELECT body, saved_at FROM workflows WHERE id = ? AND version = ?',
    ),
    workflowLatest: db.prepare<[string], WorkflowRow>(
      'SELECT body, saved_at FROM workflows WHERE id = ? ORDER BY saved_at DESC, seq DESC LIMIT 1',
    ),
    workflowsLatest: db.prepare<[], WorkflowRow>(
      `SELECT w.body, w.saved_at FROM workflows w
       WHERE w.seq = (SELECT x.seq FROM workflows x WHERE x.id = w.id ORDER BY x.saved_at DESC, x.seq DESC LIMIT 1)
       ORDER BY w.id`,
    ),
    insertRun: db.prepare(
      `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')})`,
    ),
    selectRun: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
    selectTasks: db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE run_id = ? ORDER BY key'),
    upsertTask: db.prepare(UPSERT_TASK_SQL),
    insertEvent: db.prepare(INSERT_EVENT_SQL),
    selectEvents: db.prepare<[string, number, number], EventRow>(
      'SELECT * FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    claim: db
      .prepare<ClaimParams, string>(
        `UPDATE runs SET owner = @owner, lease_until = @leaseUntil
         WHERE id IN (
           SELECT id FROM runs
           WHERE status IN (${UNFINISHED_SQL})
             AND (owner IS NULL OR lease_until IS NULL OR lease_until < @now
                  OR owner IN (SELECT value FROM json_each(@takeFrom)))
           ORDER BY priority DESC, created_at, id
           LIMIT @limit)
         RETURNING id`,
      )
      .pluck(),
    owners: db
      .prepare<[], string>(
        `SELECT DISTINCT owner FROM runs WHERE status IN (${UNFINISHED_SQL}) AND owner IS NOT NULL ORDER BY owner`,
      )
      .pluck(),
    renew: db
      .prepare<LeaseParams, string>(
        `UPDATE runs SET lease_until = @leaseUntil
         WHERE owner = @owner AND id IN (SELECT value FROM json_each(@ids)) RETURNING id`,
      )
      .pluck(),
    release: db.prepare<ReleaseParams>(
      `UPDATE runs SET owner = NULL, lease_until = NULL
       WHERE owner = @owner AND id IN (SELECT value FROM json_each(@ids))`,
    ),
  };
}

/** Which filters a run query uses: one prepared statement per shape. */
export function listRunsShape(query: RunQuery): string {
  const status = query.status === undefined ? '-' : typeof query.status === 'string' ? '1' : 'n';
  return `${status}${query.workflowId === undefined ? '-' : 'w'}${query.before === undefined ? '-' : 'b'}`;
}

/** The SELECT for one shape of run query, newest first; binds `listRunsParams`. */
export function listRunsSql(query: RunQuery): string {
  const where: string[] = [];
  if (typeof query.status === 'string') where.push('status = ?');
  else if (query.status !== undefined) where.push('status IN (SELECT value FROM json_each(?))');
  if (query.workflowId !== undefined) where.push('workflow_id = ?');
  if (query.before !== undefined) where.push('(created_at, id) < (?, ?)');
  return `SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY created_at DESC, id DESC LIMIT ?`;
}

/** The parameters of `listRunsSql(query)`. */
export function listRunsParams(query: RunQuery, defaultLimit: number): unknown[] {
  const params: unknown[] = [];
  if (typeof query.status === 'string') params.push(query.status);
  else if (query.status !== undefined) params.push(JSON.stringify(query.status));
  if (query.workflowId !== undefined) params.push(query.workflowId);
  if (query.before !== undefined) params.push(query.before.createdAt, query.before.id);
  params.push(query.limit ?? defaultLimit);
  return params;
}
