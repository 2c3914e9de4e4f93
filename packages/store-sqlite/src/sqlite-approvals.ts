import type Database from 'better-sqlite3';
import {
  FINAL_RUN_STATUSES,
  eventBody,
  openRequestFromRow,
  type OpenRequest,
  type OpenRequestQuery,
  type OpenRequestRow,
  type RunEvent,
  type RunStatus,
} from '@baton/core';

type OpenParams = [string, string, number, number, string, string];

const FINAL_SQL = [...FINAL_RUN_STATUSES].map((status) => `'${status}'`).join(', ');

/**
 * The open requests of `SqliteStore` (its `ApprovalStore` half). The writes run inside the store's commit
 * transaction and only for what touches requests — an approval event, a run reaching a final status — so the
 * steps of runs that ask no one cost one string comparison per event here. Whether a task still waits for a
 * person is read from its row when listing, which is what keeps the other task writes free.
 */
export class SqliteApprovals {
  readonly #db: Database.Database;
  readonly #open: Database.Statement<OpenParams>;
  readonly #close: Database.Statement<[string, string]>;
  readonly #closeRun: Database.Statement<[string]>;
  readonly #lists = new Map<string, Database.Statement<unknown[], OpenRequestRow>>();

  constructor(db: Database.Database) {
    this.#db = db;
    this.#open = db.prepare<OpenParams>(
      `INSERT INTO open_requests (run_id, task_key, seq, requested_at, assignee, body) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, task_key) DO UPDATE SET
         seq = excluded.seq, requested_at = excluded.requested_at, assignee = excluded.assignee,
         body = excluded.body`,
    );
    this.#close = db.prepare<[string, string]>('DELETE FROM open_requests WHERE run_id = ? AND task_key = ?');
    this.#closeRun = db.prepare<[string]>('DELETE FROM open_requests WHERE run_id = ?');
  }

  /** What a committed event does to the open requests: a request opens (or replaces) one, a decision closes it. */
  take(event: RunEvent): void {
    if (event.type === 'approval.requested') {
      const body = JSON.stringify(eventBody(event));
      this.#open.run(event.runId, event.taskKey, event.seq, event.at, event.assignee, body);
    } else if (event.type === 'approval.decided') {
      this.#close.run(event.runId, event.taskKey);
    }
  }

  /** Closes every request of a run whose new status is final; after its events, so none of them reopens one. */
  runStatus(runId: string, status: RunStatus | undefined): void {
    if (status !== undefined && FINAL_RUN_STATUSES.has(status)) this.#closeRun.run(runId);
  }

  list(query: OpenRequestQuery = {}): OpenRequest[] {
    return this.#list(query)
      .all(...openRequestsParams(query))
      .map(openRequestFromRow);
  }

  /** The SELECT for one shape of query (which filters are present), prepared on first use and kept. */
  #list(query: OpenRequestQuery): Database.Statement<unknown[], OpenRequestRow> {
    const shape = `${query.assignee === undefined ? '-' : 'a'}${query.runId === undefined ? '-' : 'r'}${query.after === undefined ? '-' : 'c'}`;
    let statement = this.#lists.get(shape);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], OpenRequestRow>(openRequestsSql(query));
      this.#lists.set(shape, statement);
    }
    return statement;
  }
}

/**
 * The SELECT for one shape of open-request query, in listing order; binds {@link openRequestsParams}. CROSS
 * JOIN keeps `open_requests` the outer loop: its index gives the order and the limit stops the scan, and each
 * row then costs a primary-key probe into `tasks` and one into `runs`.
 */
export function openRequestsSql(query: OpenRequestQuery): string {
  const where = [
    "t.status = 'waiting' AND (t.error IS NULL OR t.wake_at IS NULL)",
    `r.status NOT IN (${FINAL_SQL})`,
  ];
  // With a run too, the unary plus keeps the assignee index out: a run's few requests, by key, are cheaper
  // than walking every request of a busy assignee.
  if (query.assignee !== undefined)
    where.push(query.runId === undefined ? 'o.assignee = ?' : '+o.assignee = ?');
  if (query.runId !== undefined) where.push('o.run_id = ?');
  if (query.after !== undefined) where.push('(o.requested_at, o.run_id, o.task_key) > (?, ?, ?)');
  return `SELECT o.run_id, o.task_key, o.seq, o.requested_at, o.body, r.workflow_id, r.workflow_version,
                 t.error IS NOT NULL AS after_failure
          FROM open_requests o
          CROSS JOIN tasks t ON t.run_id = o.run_id AND t.key = o.task_key
          CROSS JOIN runs r ON r.id = o.run_id
          WHERE ${where.join(' AND ')}
          ORDER BY o.requested_at, o.run_id, o.task_key
          LIMIT ?`;
}

/** The parameters of `openRequestsSql(query)`; no limit binds -1 (none). */
export function openRequestsParams(query: OpenRequestQuery): unknown[] {
  const params: unknown[] = [];
  if (query.assignee !== undefined) params.push(query.assignee);
  if (query.runId !== undefined) params.push(query.runId);
  if (query.after !== undefined) params.push(query.after.requestedAt, query.after.runId, query.after.taskKey);
  params.push(query.limit ?? -1);
  return params;
}
