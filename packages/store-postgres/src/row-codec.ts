import {
  eventBody,
  type ApprovalRequested,
  type CommandSettlement,
  type RunEvent,
  type RunRecord,
  type TaskRecord,
  type WorkItem,
} from '@baton/core';
import { jsonb, parseJsonb } from './jsonb-text.js';

/*
 * How records are bound into the PostgreSQL statements, as typed column arrays with `jsonb` text. Rows of runs,
 * tasks and events read back the same as SQLite's and are decoded in core (`runFromRow`, …); only the outbox,
 * which SQLite does not keep, is decoded here.
 */

/** A value bound as one element of a column array. `undefined` fields are bound as NULL and read back absent. */
export type SqlValue = string | number | null;

/** One column of a table: its name, its SQL type (for the array it is bound as) and how to read it from a record. */
export interface Column<R> {
  name: string;
  type: 'text' | 'integer' | 'bigint' | 'double precision' | 'jsonb';
  value: (record: R) => SqlValue;
}

const optional = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/**
 * The run fields a delta may change, in a fixed order: field `i` is bit `1 << i` of a change mask, and owns the
 * columns listed with it. Times and money are `double precision`, not `bigint`: they are JavaScript numbers, so
 * any value the engine hands over round-trips exactly and comes back from the driver as a number.
 */
const RUN_FIELDS: readonly {
  key: keyof Omit<RunRecord, 'id'>;
  columns: readonly Column<Partial<RunRecord>>[];
}[] = [
  {
    key: 'workflowId',
    columns: [{ name: 'workflow_id', type: 'text', value: (r) => optional(r.workflowId) }],
  },
  {
    key: 'workflowVersion',
    columns: [{ name: 'workflow_version', type: 'text', value: (r) => optional(r.workflowVersion) }],
  },
  { key: 'status', columns: [{ name: 'status', type: 'text', value: (r) => optional(r.status) }] },
  { key: 'priority', columns: [{ name: 'priority', type: 'integer', value: (r) => optional(r.priority) }] },
  { key: 'input', columns: [{ name: 'input', type: 'jsonb', value: (r) => jsonb(r.input) }] },
  { key: 'vars', columns: [{ name: 'vars', type: 'jsonb', value: (r) => jsonb(r.vars) }] },
  { key: 'output', columns: [{ name: 'output', type: 'jsonb', value: (r) => jsonb(r.output) }] },
  { key: 'error', columns: [{ name: 'error', type: 'jsonb', value: (r) => jsonb(r.error) }] },
  {
    key: 'costUsd',
    columns: [{ name: 'cost_usd', type: 'double precision', value: (r) => optional(r.costUsd) }],
  },
  {
    key: 'createdAt',
    columns: [{ name: 'created_at', type: 'double precision', value: (r) => optional(r.createdAt) }],
  },
  {
    key: 'startedAt',
    columns: [{ name: 'started_at', type: 'double precision', value: (r) => optional(r.startedAt) }],
  },
  {
    key: 'endedAt',
    columns: [{ name: 'ended_at', type: 'double precision', value: (r) => optional(r.endedAt) }],
  },
  {
    key: 'parent',
    columns: [
      { name: 'parent_run_id', type: 'text', value: (r) => optional(r.parent?.runId) },
      { name: 'parent_task_key', type: 'text', value: (r) => optional(r.parent?.taskKey) },
    ],
  },
  { key: 'labels', columns: [{ name: 'labels', type: 'jsonb', value: (r) => jsonb(r.labels) }] },
  { key: 'owner', columns: [{ name: 'owner', type: 'text', value: (r) => optional(r.owner) }] },
  {
    key: 'leaseUntil',
    columns: [{ name: 'lease_until', type: 'double precision', value: (r) => optional(r.leaseUntil) }],
  },
];

/** A run column with the bit of the field it belongs to. */
export interface RunFieldColumn extends Column<Partial<RunRecord>> {
  bit: number;
}

/** Every `runs` column but `id`, in table order, each with its field's bit. */
export const RUN_FIELD_COLUMNS: readonly RunFieldColumn[] = RUN_FIELDS.flatMap((field, i) =>
  field.columns.map((column) => ({ ...column, bit: 1 << i })),
);

/** Every `runs` column, in table order. */
export const RUN_COLUMNS: readonly Column<RunRecord>[] = [
  { name: 'id', type: 'text', value: (r) => r.id },
  ...RUN_FIELD_COLUMNS,
];

const RUN_FIELD_BIT: Readonly<Record<string, number>> = Object.fromEntries(
  RUN_FIELDS.map((field, i) => [field.key, 1 << i]),
);

/** One bit per run field present in `run`; unknown keys (and `id`) are ignored. */
export function runFieldMask(run: Partial<RunRecord>): number {
  let mask = 0;
  for (const key in run) mask |= RUN_FIELD_BIT[key] ?? 0;
  return mask;
}

/**
 * Applies a delta's run change on top of `into`, field by field: a later change of a field wins, a field set to
 * `undefined` is cleared, keys that are not run fields are ignored. Applying two changes one after the other is
 * the same as applying their merge, which lets a commit send one change per run.
 */
export function mergeRunChange<R extends Partial<RunRecord>>(into: R, change: Partial<RunRecord>): R {
  const target = into as Record<string, unknown>;
  const source = change as Record<string, unknown>;
  for (const key in change) if (RUN_FIELD_BIT[key] !== undefined) target[key] = source[key];
  return into;
}

/** Every `tasks` column, in table order. */
export const TASK_COLUMNS: readonly Column<TaskRecord>[] = [
  { name: 'run_id', type: 'text', value: (t) => t.runId },
  { name: 'key', type: 'text', value: (t) => t.key },
  { name: 'node_id', type: 'text', value: (t) => t.nodeId },
  { name: 'status', type: 'text', value: (t) => t.status },
  { name: 'attempt', type: 'integer', value: (t) => t.attempt },
  { name: 'agent', type: 'text', value: (t) => optional(t.agent) },
  { name: 'input', type: 'jsonb', value: (t) => jsonb(t.input) },
  { name: 'output', type: 'jsonb', value: (t) => jsonb(t.output) },
  { name: 'error', type: 'jsonb', value: (t) => jsonb(t.error) },
  { name: 'port', type: 'text', value: (t) => optional(t.port) },
  { name: 'cost_usd', type: 'double precision', value: (t) => t.costUsd },
  { name: 'ready_at', type: 'double precision', value: (t) => optional(t.readyAt) },
  { name: 'started_at', type: 'double precision', value: (t) => optional(t.startedAt) },
  { name: 'ended_at', type: 'double precision', value: (t) => optional(t.endedAt) },
  { name: 'wake_at', type: 'double precision', value: (t) => optional(t.wakeAt) },
  { name: 'checkpoint', type: 'jsonb', value: (t) => jsonb(t.checkpoint) },
];

/** Every `events` column: the four keyed fields, and the rest of the event as `body`. */
export const EVENT_COLUMNS: readonly Column<RunEvent>[] = [
  { name: 'run_id', type: 'text', value: (e) => e.runId },
  { name: 'seq', type: 'integer', value: (e) => e.seq },
  { name: 'type', type: 'text', value: (e) => e.type },
  { name: 'at', type: 'double precision', value: (e) => e.at },
  { name: 'body', type: 'jsonb', value: (e) => jsonb(eventBody(e)) ?? '{}' },
];

/** Every `open_requests` column: the request's keys, the two it is indexed by, and its body as `events` holds it. */
export const OPEN_REQUEST_COLUMNS: readonly Column<ApprovalRequested>[] = [
  { name: 'run_id', type: 'text', value: (r) => r.runId },
  { name: 'task_key', type: 'text', value: (r) => r.taskKey },
  { name: 'seq', type: 'integer', value: (r) => r.seq },
  { name: 'requested_at', type: 'double precision', value: (r) => r.at },
  { name: 'assignee', type: 'text', value: (r) => r.assignee },
  { name: 'body', type: 'jsonb', value: (r) => jsonb(eventBody(r)) ?? '{}' },
];

/** Every column of a `work` row that holds its item, in table order (the rest is the row's claim state). */
export const WORK_COLUMNS: readonly Column<WorkItem>[] = [
  { name: 'run_id', type: 'text', value: (w) => w.runId },
  { name: 'task_key', type: 'text', value: (w) => w.taskKey },
  { name: 'attempt', type: 'integer', value: (w) => w.attempt },
  { name: 'agent', type: 'text', value: (w) => w.agent },
  { name: 'pool', type: 'text', value: (w) => w.pool },
  { name: 'input', type: 'jsonb', value: (w) => jsonb(w.input) },
  { name: 'timeout_ms', type: 'double precision', value: (w) => w.timeoutMs },
  { name: 'checkpoint', type: 'jsonb', value: (w) => jsonb(w.checkpoint) },
  { name: 'run_priority', type: 'integer', value: (w) => w.runPriority },
  { name: 'rank', type: 'double precision', value: (w) => w.rank },
  { name: 'queued_at', type: 'double precision', value: (w) => w.queuedAt },
];

/** The columns of a command's settlement, which `commit` writes only over an unsettled command. */
export const SETTLEMENT_COLUMNS: readonly Column<CommandSettlement>[] = [
  { name: 'id', type: 'bigint', value: (s) => s.id },
  { name: 'result', type: 'jsonb', value: (s) => jsonb(s.result) },
  { name: 'settled_at', type: 'double precision', value: (s) => s.at },
];

/** The item columns of a `work` row as the driver returns them. */
export interface WorkRow {
  run_id: string;
  task_key: string;
  attempt: number;
  agent: string;
  pool: string;
  input: string;
  timeout_ms: number;
  checkpoint: string | null;
  run_priority: number;
  rank: number;
  queued_at: number;
}

/** The work item a row holds; a NULL checkpoint is an absent one (a JSON `null` checkpoint stays `null`). */
export function toWorkItem(row: WorkRow): WorkItem {
  const item: WorkItem = {
    runId: row.run_id,
    taskKey: row.task_key,
    attempt: row.attempt,
    agent: row.agent,
    pool: row.pool,
    input: parseJsonb(row.input),
    timeoutMs: row.timeout_ms,
    runPriority: row.run_priority,
    rank: row.rank,
    queuedAt: row.queued_at,
  };
  if (row.checkpoint !== null) item.checkpoint = parseJsonb(row.checkpoint);
  return item;
}
