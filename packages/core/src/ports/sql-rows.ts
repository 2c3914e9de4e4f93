import type { RunStatus, TaskStatus } from '../execution/lifecycle.js';
import type { ErrorInfo, RunRecord, TaskRecord } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { AgentExecution } from './agent-store.js';
import type { BreakerRecord, BreakerState } from './breaker-store.js';
import type { CommandResult, RunCommand, RunControl, SettledCommand } from './command-store.js';
import type { StoredWorkflow } from './store.js';

/*
 * The rows the SQL stores read back, and how a row becomes a record.
 *
 * The SQLite and PostgreSQL stores share one schema shape, and their drivers return the same rows: snake_case
 * columns, SQL NULL as `null`, JSON columns as JSON text (SQLite stores text; the PostgreSQL store has `jsonb`
 * handed back as text, so that a JSON `null` payload stays apart from an absent one). Decoding is therefore
 * the same for both and lives here once: core is the only package both adapters may import (DESIGN §2).
 * What differs per driver — SQL text, parameter binding, how values are encoded for a statement — stays in
 * each store. Pure: no I/O, no driver types. A stored JSON text that no longer parses throws a `SyntaxError`,
 * which each store maps to its `StorageError`.
 */

/** A `workflows` row as the stores read it. */
export interface WorkflowRow {
  body: string;
  saved_at: number;
}

/** A `runs` row. */
export interface RunRow {
  id: string;
  workflow_id: string;
  workflow_version: string;
  status: string;
  priority: number;
  input: string;
  vars: string;
  output: string | null;
  error: string | null;
  cost_usd: number;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  parent_run_id: string | null;
  parent_task_key: string | null;
  labels: string | null;
  owner: string | null;
  lease_until: number | null;
}

/** A `tasks` row. */
export interface TaskRow {
  run_id: string;
  key: string;
  node_id: string;
  status: string;
  attempt: number;
  agent: string | null;
  input: string | null;
  output: string | null;
  error: string | null;
  port: string | null;
  cost_usd: number;
  ready_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  wake_at: number | null;
  checkpoint: string | null;
}

/** An `events` row: the fields other than these four live in `body` (see {@link eventBody}). */
export interface EventRow {
  run_id: string;
  seq: number;
  type: string;
  at: number;
  body: string;
}

/** A `breakers` row. */
export interface BreakerRow {
  agent: string;
  state: string;
  changed_at: number;
  retry_at: number | null;
  reason: string | null;
  trips: number;
}

/** A `run_commands` row as the reads of unsettled commands return it. */
export interface CommandRow {
  /** SQLite returns its INTEGER key as a number; a PostgreSQL `bigint` arrives as text. */
  id: number | string;
  run_id: string;
  input: string;
  at: number;
}

/** The end of a settled `run_commands` row. */
export interface SettledCommandRow {
  result: string;
  settled_at: number;
}

/** A settled `tasks` row as `agentExecutions` reads it, with the code of a failure's error. */
export interface AgentExecutionRow {
  run_id: string;
  key: string;
  status: AgentExecution['status'];
  started_at: number;
  ended_at: number;
  cost_usd: number;
  error_code: string | null;
}

/** The saved workflow version a row holds. */
export function workflowFromRow(row: WorkflowRow): StoredWorkflow {
  return { workflow: JSON.parse(row.body) as Workflow, savedAt: row.saved_at };
}

/** The run a row holds; NULL columns become absent fields. */
export function runFromRow(row: RunRow): RunRecord {
  const run: RunRecord = {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status as RunStatus,
    priority: row.priority,
    input: JSON.parse(row.input) as Record<string, unknown>,
    vars: JSON.parse(row.vars) as Record<string, unknown>,
    costUsd: row.cost_usd,
    createdAt: row.created_at,
  };
  if (row.output !== null) run.output = JSON.parse(row.output) as Record<string, unknown>;
  if (row.error !== null) run.error = JSON.parse(row.error) as ErrorInfo;
  if (row.started_at !== null) run.startedAt = row.started_at;
  if (row.ended_at !== null) run.endedAt = row.ended_at;
  if (row.parent_run_id !== null && row.parent_task_key !== null) {
    run.parent = { runId: row.parent_run_id, taskKey: row.parent_task_key };
  }
  if (row.labels !== null) run.labels = JSON.parse(row.labels) as Record<string, string>;
  if (row.owner !== null) run.owner = row.owner;
  if (row.lease_until !== null) run.leaseUntil = row.lease_until;
  return run;
}

/** The task a row holds; NULL columns become absent fields (a JSON `null` payload stays `null`). */
export function taskFromRow(row: TaskRow): TaskRecord {
  const task: TaskRecord = {
    runId: row.run_id,
    key: row.key,
    nodeId: row.node_id,
    status: row.status as TaskStatus,
    attempt: row.attempt,
    costUsd: row.cost_usd,
  };
  if (row.agent !== null) task.agent = row.agent;
  if (row.input !== null) task.input = JSON.parse(row.input);
  if (row.output !== null) task.output = JSON.parse(row.output);
  if (row.error !== null) task.error = JSON.parse(row.error) as ErrorInfo;
  if (row.port !== null) task.port = row.port;
  if (row.ready_at !== null) task.readyAt = row.ready_at;
  if (row.started_at !== null) task.startedAt = row.started_at;
  if (row.ended_at !== null) task.endedAt = row.ended_at;
  if (row.wake_at !== null) task.wakeAt = row.wake_at;
  if (row.checkpoint !== null) task.checkpoint = JSON.parse(row.checkpoint);
  return task;
}

/** What an event's `body` column holds: every field but the four that have columns of their own. */
export function eventBody(event: RunEvent): object {
  const { runId: _runId, seq: _seq, type: _type, at: _at, ...body } = event;
  return body;
}

/** The event a row holds: the inverse of splitting it into its keyed columns and {@link eventBody}. */
export function eventFromRow(row: EventRow): RunEvent {
  return {
    runId: row.run_id,
    seq: row.seq,
    type: row.type,
    at: row.at,
    ...(JSON.parse(row.body) as object),
  } as RunEvent;
}

/** The breaker a row holds; NULL columns become absent fields. */
export function breakerFromRow(row: BreakerRow): BreakerRecord {
  const record: BreakerRecord = {
    agent: row.agent,
    state: row.state as BreakerState,
    changedAt: row.changed_at,
    trips: row.trips,
  };
  if (row.retry_at !== null) record.retryAt = row.retry_at;
  if (row.reason !== null) record.reason = row.reason;
  return record;
}

/** The command a row holds. */
export function commandFromRow(row: CommandRow): RunCommand {
  return { id: Number(row.id), runId: row.run_id, input: JSON.parse(row.input) as RunControl, at: row.at };
}

/** The end of a settled command. */
export function settledCommandFromRow(row: SettledCommandRow): SettledCommand {
  return { result: JSON.parse(row.result) as CommandResult, settledAt: row.settled_at };
}

/** The execution a settled task row records; the error code only of a failure. */
export function agentExecutionFromRow(row: AgentExecutionRow): AgentExecution {
  return {
    runId: row.run_id,
    taskKey: row.key,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    costUsd: row.cost_usd,
    ...(row.error_code === null ? {} : { errorCode: row.error_code }),
  };
}
