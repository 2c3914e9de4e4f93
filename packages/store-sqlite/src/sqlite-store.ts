import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  ConflictError,
  NotFoundError,
  StorageError,
  type AgentDefinition,
  type AgentExecution,
  type AgentStore,
  type ApprovalStore,
  type BreakerRecord,
  type BreakerStore,
  type CommandSettlement,
  type CommandStore,
  type OpenRequest,
  type OpenRequestQuery,
  type RunControl,
  type RunCommand,
  type RunDelta,
  type RunEvent,
  type RunQuery,
  type RunRecord,
  type RunRow,
  type SettledCommand,
  type Store,
  type StoredWorkflow,
  type TaskRecord,
  type Workflow,
  canonicalJson,
  eventFromRow,
  runFromRow,
  taskFromRow,
  workflowFromRow,
} from '@baton/core';
import { migrate } from './migrations.js';
import {
  eventParams,
  runFieldMask,
  runParams,
  runUpdateParams,
  runUpdateSql,
  taskParams,
} from './row-codec.js';
import {
  listRunsParams,
  listRunsShape,
  listRunsSql,
  prepareStatements,
  type Statements,
} from './sqlite-statements.js';
import { toStoreError } from './sqlite-errors.js';
import { SqliteAgents } from './sqlite-agents.js';
import { SqliteApprovals } from './sqlite-approvals.js';
import { SqliteBreakers } from './sqlite-breakers.js';
import { SqliteCommands } from './sqlite-commands.js';

/** A run that `commit` creates before it applies the deltas. */
type NewRun = NonNullable<Parameters<Store['commit']>[1]>[number];

/** Where the store keeps its file when no path is given, relative to the working directory. */
export const DEFAULT_DATABASE_PATH = '.baton/baton.db';

/** How to open a {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The database file. Without it, `.baton/baton.db` under the working directory, whose directory is created
   * when missing. A path given here must be in an existing directory (a mistyped path should fail, not start
   * an empty database elsewhere). `:memory:` keeps everything in memory, for tests.
   */
  path?: string;
  /**
   * `normal` (default): WAL with `synchronous=NORMAL`. A commit that resolved survives a crash or kill of the
   * process; a power loss or OS crash may lose the last commits, never consistency. `full`: also syncs the
   * WAL to disk on every commit, so commits survive a power loss too, at the cost of one fsync per commit.
   */
  durability?: 'normal' | 'full';
  /** How long a write waits for another process's lock before failing with a `StorageError` (ms, default 5000). */
  busyTimeoutMs?: number;
}

/** What a {@link SqliteStore} runs with, read back from SQLite (for diagnostics and tests). */
export interface SqliteStoreInfo {
  path: string;
  journalMode: string;
  synchronous: 'off' | 'normal' | 'full' | 'extra';
  foreignKeys: boolean;
  busyTimeoutMs: number;
  schemaVersion: number;
}

const SYNCHRONOUS = ['off', 'normal', 'full', 'extra'] as const;
const DEFAULT_LIST_LIMIT = 50;
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The embedded `Store`: one SQLite file in WAL mode through better-sqlite3, passing the Store contract suite.
 *
 * Open it with {@link SqliteStore.open}; it migrates the file under a lock. Work is synchronous under the async
 * port — each call runs to completion before it returns a settled promise — so one process's calls never
 * interleave. Every write is one `BEGIN IMMEDIATE` transaction; `commit` writes all its deltas in one (group
 * commit), touching only the run columns a delta names, upserting task rows, inserting events and settling the
 * operator commands the deltas settle. Other processes may read the file while this one runs; a second writer
 * waits up to the busy timeout and then gets a `StorageError`. Driver errors never leave the adapter: they
 * become `ConflictError`, `NotFoundError` or a `StorageError` that names the file and the cause. It also keeps
 * the operator-command inbox, the circuit breakers, the agent registry and the open requests for people (kept
 * by `commit` in its transaction), passing the CommandStore, BreakerStore, AgentStore and ApprovalStore suites.
 */
export class SqliteStore implements Store, CommandStore, BreakerStore, AgentStore, ApprovalStore {
  readonly #db: Database.Database;
  readonly #file: string;
  readonly #runUpdates = new Map<number, Database.Statement>();
  readonly #listQueries = new Map<string, Database.Statement<unknown[], RunRow>>();
  #closed = false;

  readonly #s: Statements;
  readonly #commands: SqliteCommands;
  readonly #breakers: SqliteBreakers;
  readonly #agents: SqliteAgents;
  readonly #approvals: SqliteApprovals;
  readonly #saveWorkflowTx;
  readonly #createRunTx;
  readonly #commitTx;
  readonly #loadRunTx;

  private constructor(db: Database.Database, file: string) {
    this.#db = db;
    this.#file = file;
    this.#s = prepareStatements(db);
    this.#commands = new SqliteCommands(db);
    this.#breakers = new SqliteBreakers(db);
    this.#agents = new SqliteAgents(db);
    this.#approvals = new SqliteApprovals(db);
    this.#saveWorkflowTx = db.transaction((workflow: Workflow, savedAt: number) =>
      this.#saveWorkflow(workflow, savedAt),
    );
    this.#createRunTx = db.transaction(
      (run: RunRecord, tasks: readonly TaskRecord[], events: readonly RunEvent[]) =>
        this.#createRun(run, tasks, events),
    );
    this.#commitTx = db.transaction((deltas: readonly RunDelta[], created: readonly NewRun[] | undefined) => {
      if (created !== undefined) for (const c of created) this.#createRun(c.run, c.tasks, c.events);
      for (const delta of deltas) this.#apply(delta);
    });
    this.#loadRunTx = db.transaction((runId: string) => {
      const row = this.#s.selectRun.get(runId);
      return row && { run: runFromRow(row), tasks: this.#s.selectTasks.all(runId).map(taskFromRow) };
    });
  }

  /**
   * Opens (creating when needed) and migrates the database file. A file locked by another process, a corrupt
   * or foreign file, or a missing directory is a `StorageError` that says which and how to fix it; the
   * connection is closed again before it is thrown.
   */
  static open(options: SqliteStoreOptions = {}): SqliteStore {
    const file = options.path ?? DEFAULT_DATABASE_PATH;
    let db: Database.Database | undefined;
    try {
      if (options.path === undefined) mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { timeout: options.busyTimeoutMs ?? 5_000 });
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      migrate(db, file);
      return new SqliteStore(db, file);
    } catch (error) {
      try {
        db?.close();
      } catch {
        // The open failed already; that error is the one to report.
      }
      throw toStoreError(error, file, 'opening the store');
    }
  }

  /** The settings SQLite reports for this connection. */
  info(): SqliteStoreInfo {
    const pragma = (name: string): unknown => this.#db.pragma(name, { simple: true });
    return {
      path: this.#file,
      journalMode: String(pragma('journal_mode')),
      synchronous: SYNCHRONOUS[Number(pragma('synchronous'))] ?? 'full',
      foreignKeys: pragma('foreign_keys') === 1,
      busyTimeoutMs: Number(pragma('busy_timeout')),
      schemaVersion: Number(pragma('user_version')),
    };
  }

  saveWorkflow(workflow: Workflow, savedAt: number): Promise<void> {
    return this.#call('saving a workflow', () => this.#saveWorkflowTx.immediate(workflow, savedAt));
  }

  getWorkflow(id: string, version?: string): Promise<StoredWorkflow | undefined> {
    return this.#call('reading a workflow', () => {
      const row =
        version === undefined ? this.#s.workflowLatest.get(id) : this.#s.workflowVersion.get(id, version);
      return row && workflowFromRow(row);
    });
  }

  listWorkflows(): Promise<StoredWorkflow[]> {
    return this.#call('listing workflows', () => this.#s.workflowsLatest.all().map(workflowFromRow));
  }

  createRun(run: RunRecord, tasks: readonly TaskRecord[], events: readonly RunEvent[]): Promise<void> {
    return this.#call('creating a run', () => this.#createRunTx.immediate(run, tasks, events));
  }

  commit(deltas: readonly RunDelta[], created?: readonly NewRun[]): Promise<void> {
    // The hot path: no closure and no await, one transaction for every delta of the call.
    if (this.#closed) return Promise.reject(this.#closedError());
    try {
      this.#commitTx.immediate(deltas, created);
      return RESOLVED;
    } catch (error) {
      return Promise.reject(toStoreError(error, this.#file, 'committing'));
    }
  }

  loadRun(runId: string): Promise<{ run: RunRecord; tasks: TaskRecord[] } | undefined> {
    return this.#call('loading a run', () => this.#loadRunTx.deferred(runId));
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.#call('reading a run', () => {
      const row = this.#s.selectRun.get(runId);
      return row && runFromRow(row);
    });
  }

  listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    return this.#call('listing runs', () =>
      this.#listQuery(query)
        .all(...listRunsParams(query, DEFAULT_LIST_LIMIT))
        .map(runFromRow),
    );
  }

  readEvents(runId: string, afterSeq = 0, limit?: number): Promise<RunEvent[]> {
    return this.#call('reading events', () =>
      this.#s.selectEvents.all(runId, afterSeq, limit ?? -1).map(eventFromRow),
    );
  }

  claimRuns(
    owner: string,
    now: number,
    leaseUntil: number,
    limit?: number,
    takeFrom: readonly string[] = [],
  ): Promise<string[]> {
    return this.#call('claiming runs', () =>
      this.#s.claim.all({ owner, now, leaseUntil, limit: limit ?? -1, takeFrom: JSON.stringify(takeFrom) }),
    );
  }

  runOwners(): Promise<string[]> {
    return this.#call('listing run owners', () => this.#s.owners.all());
  }

  renewLease(owner: string, runIds: readonly string[], leaseUntil: number): Promise<string[]> {
    return this.#call('renewing leases', () =>
      this.#s.renew.all({ owner, ids: JSON.stringify(runIds), leaseUntil }),
    );
  }

  releaseRuns(owner: string, runIds: readonly string[]): Promise<void> {
    return this.#call('releasing runs', () => {
      this.#s.release.run({ owner, ids: JSON.stringify(runIds) });
    });
  }

  enqueueCommand(runId: string, input: RunControl, at: number): Promise<number> {
    return this.#call('sending a command', () => this.#commands.enqueue(runId, input, at));
  }

  pendingCommands(limit?: number): Promise<RunCommand[]> {
    return this.#call('reading pending commands', () => this.#commands.pending(limit));
  }

  runCommands(runId: string): Promise<RunCommand[]> {
    return this.#call("reading a run's commands", () => this.#commands.ofRun(runId));
  }

  settleCommand(settlement: CommandSettlement): Promise<void> {
    return this.#call('settling a command', () => this.#commands.settle(settlement));
  }

  commandResult(id: number): Promise<SettledCommand | undefined> {
    return this.#call("reading a command's result", () => this.#commands.result(id));
  }

  loadBreakers(): Promise<BreakerRecord[]> {
    return this.#call('loading breakers', () => this.#breakers.load());
  }

  saveBreakers(records: readonly BreakerRecord[]): Promise<void> {
    return this.#call('saving breakers', () => this.#breakers.save(records));
  }

  saveAgent(definition: AgentDefinition): Promise<void> {
    return this.#call('saving an agent', () => this.#agents.save(definition));
  }

  listAgents(): Promise<AgentDefinition[]> {
    return this.#call('listing agents', () => this.#agents.list());
  }

  agentExecutions(agent: string, limit?: number): Promise<AgentExecution[]> {
    return this.#call("reading an agent's executions", () => this.#agents.executions(agent, limit));
  }

  agentUsage(): Promise<{ agent: string; tasks: number; runs: number; lastUsedAt: number }[]> {
    return this.#call('counting agent usage', () => this.#agents.usage());
  }

  openRequests(query?: OpenRequestQuery): Promise<OpenRequest[]> {
    return this.#call('listing open requests', () => this.#approvals.list(query));
  }

  /** Lets SQLite refresh its query statistics, then closes the file. Closing again does nothing. */
  close(): Promise<void> {
    if (this.#closed) return RESOLVED;
    this.#closed = true;
    try {
      this.#db.pragma('optimize');
    } catch {
      // Statistics are an optimisation; failing to refresh them must not keep the file open.
    }
    try {
      this.#db.close();
      return RESOLVED;
    } catch (error) {
      return Promise.reject(toStoreError(error, this.#file, 'closing the store'));
    }
  }

  /** Runs one call of the port: settles with its result, or rejects with the mapped error. */
  #call<T>(doing: string, work: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closedError());
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toStoreError(error, this.#file, doing));
    }
  }

  #closedError(): StorageError {
    return new StorageError(`the store for ${this.#file} is closed`);
  }

  #saveWorkflow(workflow: Workflow, savedAt: number): void {
    const existing = this.#s.workflowVersion.get(workflow.id, workflow.version);
    if (existing !== undefined) {
      if (canonicalJson(JSON.parse(existing.body)) === canonicalJson(workflow)) return;
      throw new ConflictError(
        `workflow "${workflow.id}" version ${workflow.version} is already saved with other content; save the change as a new version`,
      );
    }
    this.#s.insertWorkflow.run(workflow.id, workflow.version, savedAt, JSON.stringify(workflow));
  }

  #createRun(run: RunRecord, tasks: readonly TaskRecord[], events: readonly RunEvent[]): void {
    try {
      this.#s.insertRun.run(...runParams(run));
    } catch (error) {
      const mapped = toStoreError(error, this.#file, 'creating a run');
      throw mapped instanceof ConflictError
        ? new ConflictError(`run "${run.id}" already exists`, { cause: error })
        : mapped;
    }
    for (const task of tasks) this.#writeTask(task);
    for (const event of events) this.#writeEvent(event);
    this.#approvals.runStatus(run.id, run.status);
  }

  #apply(delta: RunDelta): void {
    const run = delta.run;
    if (run !== undefined) {
      const mask = runFieldMask(run);
      if (mask !== 0 && this.#runUpdate(mask).run(...runUpdateParams(mask, run, delta.runId)).changes === 0) {
        throw this.#missingRun(delta.runId);
      }
    }
    for (const task of delta.tasks) this.#writeTask(task);
    for (const event of delta.events) this.#writeEvent(event);
    this.#approvals.runStatus(delta.runId, run?.status);
    if (delta.commands !== undefined)
      for (const settlement of delta.commands) this.#commands.settle(settlement);
  }

  #writeTask(task: TaskRecord): void {
    try {
      this.#s.upsertTask.run(...taskParams(task));
    } catch (error) {
      const mapped = toStoreError(error, this.#file, 'writing a task');
      throw mapped instanceof NotFoundError ? this.#missingRun(task.runId) : mapped;
    }
  }

  #writeEvent(event: RunEvent): void {
    try {
      this.#s.insertEvent.run(...eventParams(event));
    } catch (error) {
      const mapped = toStoreError(error, this.#file, 'writing an event');
      if (mapped instanceof NotFoundError) throw this.#missingRun(event.runId);
      if (mapped instanceof ConflictError) {
        throw new ConflictError(`run "${event.runId}" already has an event with seq ${event.seq}`, {
          cause: error,
        });
      }
      throw mapped;
    }
    this.#approvals.take(event);
  }

  #missingRun(runId: string): NotFoundError {
    return new NotFoundError(`run "${runId}" does not exist; create it before committing to it`);
  }

  /** The UPDATE for one set of changed run fields, prepared on first use and kept. */
  #runUpdate(mask: number): Database.Statement {
    let statement = this.#runUpdates.get(mask);
    if (statement === undefined)
      this.#runUpdates.set(mask, (statement = this.#db.prepare(runUpdateSql(mask))));
    return statement;
  }

  /** The SELECT for one shape of run query (which filters are present), prepared on first use and kept. */
  #listQuery(query: RunQuery): Database.Statement<unknown[], RunRow> {
    const shape = listRunsShape(query);
    let statement = this.#listQueries.get(shape);
    if (statement === undefined) {
      this.#listQueries.set(shape, (statement = this.#db.prepare<unknown[], RunRow>(listRunsSql(query))));
    }
    return statement;
  }
}
