import { eventBody, type RunEvent, type RunRecord, type TaskRecord } from '@baton/core';

/*
 * How records are bound into SQLite statements: JSON fields as JSON text, absent fields as NULL. Reading rows
 * back is the same for both SQL stores and lives in core (`runFromRow`, `taskFromRow`, `eventFromRow`).
 */

/** A value SQLite binds. `undefined` fields are bound as NULL and come back absent. */
export type SqlValue = string | number | null;

/** JSON text of a value, or NULL when it is absent (or not representable in JSON). */
export function json(value: unknown): string | null {
  return value === undefined ? null : (JSON.stringify(value) ?? null);
}

const optional = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** The run fields a delta may change, in column order. Each binds its columns' values into `out`. */
const RUN_FIELDS: readonly {
  key: keyof Omit<RunRecord, 'id'>;
  columns: readonly string[];
  bind: (run: Partial<RunRecord>, out: SqlValue[]) => void;
}[] = [
  { key: 'workflowId', columns: ['workflow_id'], bind: (r, o) => o.push(optional(r.workflowId)) },
  {
    key: 'workflowVersion',
    columns: ['workflow_version'],
    bind: (r, o) => o.push(optional(r.workflowVersion)),
  },
  { key: 'status', columns: ['status'], bind: (r, o) => o.push(optional(r.status)) },
  { key: 'priority', columns: ['priority'], bind: (r, o) => o.push(optional(r.priority)) },
  { key: 'input', columns: ['input'], bind: (r, o) => o.push(json(r.input)) },
  { key: 'vars', columns: ['vars'], bind: (r, o) => o.push(json(r.vars)) },
  { key: 'output', columns: ['output'], bind: (r, o) => o.push(json(r.output)) },
  { key: 'error', columns: ['error'], bind: (r, o) => o.push(json(r.error)) },
  { key: 'costUsd', columns: ['cost_usd'], bind: (r, o) => o.push(optional(r.costUsd)) },
  { key: 'createdAt', columns: ['created_at'], bind: (r, o) => o.push(optional(r.createdAt)) },
  { key: 'startedAt', columns: ['started_at'], bind: (r, o) => o.push(optional(r.startedAt)) },
  { key: 'endedAt', columns: ['ended_at'], bind: (r, o) => o.push(optional(r.endedAt)) },
  {
    key: 'parent',
    columns: ['parent_run_id', 'parent_task_key'],
    bind: (r, o) => o.push(optional(r.parent?.runId), optional(r.parent?.taskKey)),
  },
  { key: 'labels', columns: ['labels'], bind: (r, o) => o.push(json(r.labels)) },
  { key: 'owner', columns: ['owner'], bind: (r, o) => o.push(optional(r.owner)) },
  { key: 'leaseUntil', columns: ['lease_until'], bind: (r, o) => o.push(optional(r.leaseUntil)) },
];

const RUN_FIELD_BIT: Readonly<Record<string, number>> = Object.fromEntries(
  RUN_FIELDS.map((field, i) => [field.key, 1 << i]),
);

/** One bit per run field present in `run`, in `RUN_FIELDS` order; unknown keys (and `id`) are ignored. */
export function runFieldMask(run: Partial<RunRecord>): number {
  let mask = 0;
  for (const key in run) mask |= RUN_FIELD_BIT[key] ?? 0;
  return mask;
}

/** `UPDATE runs SET … WHERE id = ?` for the fields in `mask`; a field set to `undefined` becomes NULL. */
export function runUpdateSql(mask: number): string {
  const sets = RUN_FIELDS.filter((_, i) => mask & (1 << i)).flatMap((field) =>
    field.columns.map((column) => `${column} = ?`),
  );
  return `UPDATE runs SET ${sets.join(', ')} WHERE id = ?`;
}

/** The parameters of `runUpdateSql(mask)` for this change of run `runId`. */
export function runUpdateParams(mask: number, run: Partial<RunRecord>, runId: string): SqlValue[] {
  const out: SqlValue[] = [];
  for (let i = 0; i < RUN_FIELDS.length; i++) if (mask & (1 << i)) RUN_FIELDS[i]!.bind(run, out);
  out.push(runId);
  return out;
}

/** Every column of `runs`, in the order `runParams` binds them. */
export const RUN_COLUMNS = ['id', ...RUN_FIELDS.flatMap((field) => field.columns)];

/** The parameters of an insert of the whole run, in `RUN_COLUMNS` order. */
export function runParams(run: RunRecord): SqlValue[] {
  const out: SqlValue[] = [run.id];
  for (const field of RUN_FIELDS) field.bind(run, out);
  return out;
}

/** The upsert that replaces a task row whole by (run_id, key). Binds `taskParams`. */
export const UPSERT_TASK_SQL = `
  INSERT INTO tasks (run_id, key, node_id, status, attempt, agent, input, output, error, port, cost_usd,
                     ready_at, started_at, ended_at, wake_at, checkpoint)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (run_id, key) DO UPDATE SET
    node_id = excluded.node_id, status = excluded.status, attempt = excluded.attempt, agent = excluded.agent,
    input = excluded.input, output = excluded.output, error = excluded.error, port = excluded.port,
    cost_usd = excluded.cost_usd, ready_at = excluded.ready_at, started_at = excluded.started_at,
    ended_at = excluded.ended_at, wake_at = excluded.wake_at, checkpoint = excluded.checkpoint`;

/** The parameters of `UPSERT_TASK_SQL`. */
export function taskParams(t: TaskRecord): SqlValue[] {
  return [
    t.runId,
    t.key,
    t.nodeId,
    t.status,
    t.attempt,
    optional(t.agent),
    json(t.input),
    json(t.output),
    json(t.error),
    optional(t.port),
    t.costUsd,
    optional(t.readyAt),
    optional(t.startedAt),
    optional(t.endedAt),
    optional(t.wakeAt),
    json(t.checkpoint),
  ];
}

/** `INSERT INTO events`; its primary key (run_id, seq) turns a repeated seq into a constraint error. */
export const INSERT_EVENT_SQL = 'INSERT INTO events (run_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)';

/** The parameters of `INSERT_EVENT_SQL`: the four keyed fields as columns, the rest as JSON. */
export function eventParams(event: RunEvent): SqlValue[] {
  return [event.runId, event.seq, event.type, event.at, JSON.stringify(eventBody(event))];
}
