import {
  FINAL_RUN_STATUSES,
  openRequestFromRow,
  type OpenRequest,
  type OpenRequestQuery,
  type OpenRequestRow,
} from '@baton/core';
import type { Statement } from './postgres-statements.js';
import type { RunStatement } from './postgres-work.js';

const FINAL_SQL = [...FINAL_RUN_STATUSES].map((status) => `'${status}'`).join(', ');

/**
 * The SELECT for one shape of open-request query (which filters are present), in listing order, and its
 * parameters. Each shape is its own prepared statement, planned for the index that serves it: the assignee's,
 * the time index, or the key for one run. Each row then costs a key probe into `tasks` and one into `runs`,
 * which say whether the task still waits for a person; a NULL limit is no limit.
 */
export function listOpenRequests(query: OpenRequestQuery): { statement: Statement; values: unknown[] } {
  const where = [
    "t.status = 'waiting' AND (t.error IS NULL OR t.wake_at IS NULL)",
    `r.status NOT IN (${FINAL_SQL})`,
  ];
  const values: unknown[] = [];
  let shape = '';
  if (query.assignee !== undefined) {
    values.push(query.assignee);
    where.push(`o.assignee = $${values.length}`);
    shape += 'a';
  }
  if (query.runId !== undefined) {
    values.push(query.runId);
    where.push(`o.run_id = $${values.length}`);
    shape += 'r';
  }
  if (query.after !== undefined) {
    values.push(query.after.requestedAt, query.after.runId, query.after.taskKey);
    const [at, run, key] = [values.length - 2, values.length - 1, values.length];
    where.push(
      `(o.requested_at, o.run_id, o.task_key) > ($${at}::double precision, $${run}::text, $${key}::text)`,
    );
    shape += 'c';
  }
  values.push(query.limit ?? null);
  const text = `
    SELECT o.run_id, o.task_key, o.seq, o.requested_at, o.body, r.workflow_id, r.workflow_version,
           CASE WHEN t.error IS NULL THEN 0 ELSE 1 END AS after_failure
    FROM open_requests o
    JOIN tasks t ON t.run_id = o.run_id AND t.key = o.task_key
    JOIN runs r ON r.id = o.run_id
    WHERE ${where.join(' AND ')}
    ORDER BY o.requested_at, o.run_id, o.task_key
    LIMIT $${values.length}`;
  return { statement: { name: `baton_open_requests_${shape}`, text }, values };
}

/**
 * The `ApprovalStore` half of `PostgresStore`: a listing is one statement. The rows are written by `commit`
 * (see `COMMIT`).
 */
export class PostgresApprovals {
  constructor(private readonly run: RunStatement) {}

  async list(query: OpenRequestQuery = {}): Promise<OpenRequest[]> {
    const { statement, values } = listOpenRequests(query);
    const rows = await this.run<OpenRequestRow>('listing open requests', statement, () => values);
    return rows.map(openRequestFromRow);
  }
}
