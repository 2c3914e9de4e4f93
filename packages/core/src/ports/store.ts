import type { RunStatus } from '../execution/lifecycle.js';
import type { RunRecord, TaskRecord } from '../execution/records.js';
import type { RunDelta, RunEvent } from '../execution/run-event.js';
import type { Workflow } from '../model/workflow-schema.js';

/** A saved workflow version with when it was saved. */
export interface StoredWorkflow {
  workflow: Workflow;
  savedAt: number;
}

/** A run to create with its first tasks and events, as `createRun` takes them. */
export interface NewRun {
  run: RunRecord;
  tasks: readonly TaskRecord[];
  events: readonly RunEvent[];
}

/** Filters for listing runs, newest first. */
export interface RunQuery {
  status?: RunStatus | readonly RunStatus[];
  workflowId?: string;
  /** At most this many (default 50). */
  limit?: number;
  /** Only runs created before this run (keyset pagination by `createdAt`, then id). */
  before?: { createdAt: number; id: string };
}

/**
 * Where everything that must survive a crash lives: workflow versions, runs, tasks and each run's event log.
 *
 * Contract (the contract suite in `@baton/testing` checks every adapter against it):
 * - `commit` is atomic over all its deltas: after a crash either every row and event of the call is there or
 *   none is. Deltas of one run apply in order. Task rows are replaced whole by (runId, key).
 * - Event `seq` numbers are assigned by the engine; the store rejects a duplicate (runId, seq) with a
 *   `ConflictError` and keeps nothing of that call.
 * - Reads return copies: mutating a returned object never changes the store.
 * - Failures of the medium (locked, corrupt, full) are `StorageError`s that name the cause.
 */
export interface Store {
  /** Saves a workflow version. Saving the same id and version again with other content is a `ConflictError`. */
  saveWorkflow(workflow: Workflow, savedAt: number): Promise<void>;
  /** A workflow version; without `version`, the one saved last. */
  getWorkflow(id: string, version?: string): Promise<StoredWorkflow | undefined>;
  /** The newest version of every workflow. */
  listWorkflows(): Promise<StoredWorkflow[]>;

  /** Creates a run with its first tasks and events, atomically. A duplicate run id is a `ConflictError`. */
  createRun(run: RunRecord, tasks: readonly TaskRecord[], events: readonly RunEvent[]): Promise<void>;
  /**
   * Applies deltas of one or many runs in one transaction (group commit). Runs in `created` are created first,
   * in the same transaction, so the deltas may name them; a duplicate run id among them is a `ConflictError`
   * and keeps nothing of the call.
   */
  commit(deltas: readonly RunDelta[], created?: readonly NewRun[]): Promise<void>;
  /** A run with all its tasks, for the engine to drive it or to show it. */
  loadRun(runId: string): Promise<{ run: RunRecord; tasks: TaskRecord[] } | undefined>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  /** A run's events with `seq` greater than `afterSeq`, in order, at most `limit`. */
  readEvents(runId: string, afterSeq?: number, limit?: number): Promise<RunEvent[]>;

  /**
   * Takes over runs that are not finished and that no live process drives: no owner, an owner whose lease
   * ran out before `now`, or an owner in `takeFrom` (known to be gone, e.g. a crashed process on this
   * machine). Marks them owned by `owner` until `leaseUntil` and returns their ids.
   */
  claimRuns(
    owner: string,
    now: number,
    leaseUntil: number,
    limit?: number,
    takeFrom?: readonly string[],
  ): Promise<string[]>;
  /** The distinct owners of unfinished runs, so a process can tell which of them are gone. */
  runOwners(): Promise<string[]>;
  /** Extends `owner`'s lease on its runs; returns the ids it still owns. */
  renewLease(owner: string, runIds: readonly string[], leaseUntil: number): Promise<string[]>;
  /** Gives up `owner`'s claim on the runs (graceful shutdown). */
  releaseRuns(owner: string, runIds: readonly string[]): Promise<void>;

  /** Releases files, connections and locks. The store is unusable afterwards. */
  close(): Promise<void>;
}
