import type { TaskRecord } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';
import type { Store } from './store.js';

/** The `approval.requested` entry of a run's event log: what a person is asked, and when. */
export type ApprovalRequested = Extract<RunEvent, { type: 'approval.requested' }>;

/** A task waiting for a person, as the store keeps it: the run it belongs to and the request that asked. */
export interface OpenRequest {
  runId: string;
  workflowId: string;
  workflowVersion: string;
  taskKey: string;
  /**
   * The task waits after a failure, its row keeping the error: an escalated failure, or — with `request.kind`
   * `input` — an agent's question. Otherwise it is an approval node asking.
   */
  afterFailure: boolean;
  /** The request as logged; its `at` is when it was asked. */
  request: ApprovalRequested;
}

/** The position of an open request in the listing order, to ask for the page after it. */
export interface OpenRequestCursor {
  requestedAt: number;
  runId: string;
  taskKey: string;
}

/** Filters of {@link ApprovalStore.openRequests}; all of them must hold. */
export interface OpenRequestQuery {
  /** Exactly as the request names it. */
  assignee?: string;
  runId?: string;
  /** At most this many; every one when absent. */
  limit?: number;
  /** Only the requests after this one in the listing order (keyset pagination). */
  after?: OpenRequestCursor;
}

/**
 * The open requests for a person's decision or answer, kept by the store so that listing them is one indexed
 * query however many runs wait — a waiting run costs a row, not a walk over its event log (DESIGN §4).
 *
 * Contract (the approval-store suite in `@baton/testing`):
 * - A request is open from the commit that logs its `approval.requested` until the commit that logs an
 *   `approval.decided` for the task or gives the run a final status (`FINAL_RUN_STATUSES`); a later
 *   `approval.requested` of the same task replaces it, so a task has at most one.
 * - An open request is listed only while its task row waits for a person (see {@link waitsForPerson}) and its
 *   run is not final. A commit that settles, cancels or skips the task, or readies it again, takes it off the
 *   list with the task row it writes: the engine writes nothing more for it.
 * - Kept by `createRun` and `commit` themselves, in their transaction: a commit that fails changes nothing here
 *   either. Only commits that log approval events or end a run write anything for it; the other steps of runs
 *   write nothing more.
 * - Ordered by request time (`request.at`), then run id, then task key (ids compared as plain strings, never by
 *   locale); `after` continues after a position, so requests that open or close meanwhile never shift the
 *   others between pages.
 * - Reads return copies; `afterFailure` comes from the task row as it is when listed.
 */
export interface ApprovalStore {
  openRequests(query?: OpenRequestQuery): Promise<OpenRequest[]>;
}

/** Whether a store keeps open requests; callers fall back to reading runs and events when it does not. */
export function hasApprovalStore<S extends Store>(store: S): store is S & ApprovalStore {
  return typeof (store as Partial<ApprovalStore>).openRequests === 'function';
}

/**
 * Whether a task row may be waiting for a person: an approval waits without an error; an escalated failure or
 * an agent's question waits with its error and no wake-up time. A task backing off before a retry (an error
 * and a wake-up time) waits for its timer, whatever it asked before.
 */
export function waitsForPerson(task: Pick<TaskRecord, 'status' | 'error' | 'wakeAt'>): boolean {
  return task.status === 'waiting' && (task.error === undefined || task.wakeAt === undefined);
}

/** The cursor that continues a listing after `request`. */
export function openRequestCursor(request: OpenRequest): OpenRequestCursor {
  return { requestedAt: request.request.at, runId: request.runId, taskKey: request.taskKey };
}

/**
 * An `open_requests` row of the SQL stores, joined with its run and task: `body` is the request's
 * `eventBody` as JSON text; `after_failure` is 1 when the task row holds an error.
 */
export interface OpenRequestRow {
  run_id: string;
  task_key: string;
  seq: number;
  requested_at: number;
  body: string;
  workflow_id: string;
  workflow_version: string;
  after_failure: number;
}

/** The open request a row holds (shared by both SQL stores, as the decoders of `sql-rows.ts` are). */
export function openRequestFromRow(row: OpenRequestRow): OpenRequest {
  return {
    runId: row.run_id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    taskKey: row.task_key,
    afterFailure: row.after_failure !== 0,
    request: {
      runId: row.run_id,
      seq: row.seq,
      type: 'approval.requested',
      at: row.requested_at,
      ...(JSON.parse(row.body) as object),
    } as ApprovalRequested,
  };
}
