import pg from 'pg';
import {
  ConflictError,
  StorageError,
  eventFromRow,
  runFromRow,
  taskFromRow,
  workflowFromRow,
  type AgentDefinition,
  type AgentExecution,
  type AgentStore,
  type ApprovalStore,
  type BreakerRecord,
  type BreakerStore,
  type CommandSettlement,
  type CommandStore,
  type EventRow,
  type NewRun,
  type OpenRequest,
  type OpenRequestQuery,
  type RunCommand,
  type RunControl,
  type RunDelta,
  type RunEvent,
  type RunQuery,
  type RunRecord,
  type RunRow,
  type SettledCommand,
  type Store,
  type StoredWorkflow,
  type TaskRecord,
  type TaskRow,
  type WorkClaim,
  type Workflow,
  type WorkflowRow,
  type WorkItem,
  type WorkOutcome,
  type WorkResult,
  type WorkStore,
} from '@baton/core';
import { commitParams, commitRows, isEmpty, type CommitRows } from './commit-batch.js';
import { decodeJsonText, jsonb } from './jsonb-text.js';
import { migrate } from './migrations.js';
import { describeServer, isServerError, toStoreError } from './postgres-errors.js';
import {
  CLAIM,
  COMMIT,
  OWNERS,
  RELEASE,
  RENEW,
  SAVE_WORKFLOW,
  SELECT_EVENTS,
  SELECT_RUN,
  SELECT_TASKS,
  WORKFLOW_LATEST,
  WORKFLOW_VERSION,
  WORKFLOWS_LATEST,
  listRuns,
  type Statement,
} from './postgres-statements.js';
import { PostgresAgents } from './postgres-agents.js';
import { PostgresApprovals } from './postgres-approvals.js';
import { PostgresBreakers } from './postgres-breakers.js';
import { PostgresCommands } from './postgres-commands.js';
import { PostgresWork, type RunStatement } from './postgres-work.js';
import { QueryStats, type PostgresStoreStats } from './query-stats.js';
import { checkServerVersion } from './server-version.js';

/** How to open a {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** The most connections the store holds open at once (default 10). */
  maxConnections?: number;
  /** How long to wait for a connection before failing with a `StorageError` (ms, default 10 000). */
  connectTimeoutMs?: number;
  /** The name the server shows for the store's connections in `pg_stat_activity` (default `baton`). */
  applicationName?: string;
}

/** What a {@link PostgresStore} runs against, for diagnostics and tests. */
export interface PostgresStoreInfo {
  /** `host:port/database`. */
  server: string;
  serverMajor: number;
}

const JSONB_OID = 3802;
const DEFAULT_LIST_LIMIT = 50;

/**
 * `jsonb` values arrive as their JSON text with the store's escapes undone, the row shape SQLite gives too, so
 * core's row decoding (`runFromRow`, …) serves both stores. Leaving the parse to it keeps a JSON `null` payload
 * apart from an absent one (SQL NULL).
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((text: string) => unknown) =>
    oid === JSONB_OID
      ? decodeJsonText
      : (pg.types.getTypeParser(oid, format) as (text: string) => unknown)) as typeof pg.types.getTypeParser,
};

/**
 * The distributed `Store`: PostgreSQL through a `pg` connection pool, passing the Store contract suite, and the
 * outbox of distributed mode (`WorkStore`, ADR 0004), passing the WorkStore contract suite.
 *
 * Open it with {@link PostgresStore.open}, which refuses servers older than PostgreSQL 14 and migrates the
 * schema under an advisory lock. Every call is one statement on a pooled connection, prepared once per
 * connection, except `loadRun` (a read-only snapshot transaction over the run and its tasks). `commit` — the
 * hot path — is a single statement whatever it carries: all its runs, task rows and events travel as column
 * arrays and are written by multi-row INSERT/UPDATE/UPSERT in one implicit transaction, so a group commit of N
 * runs costs one round trip, not N; the outbox rows a commit writes or drops travel in the same statement. Each
 * `WorkStore` call is one statement too (see `postgres-work.ts`). The same goes for the operator-command inbox
 * (`CommandStore`, whose settlements `commit` also writes in its one statement), the circuit breakers
 * (`BreakerStore`), the agent registry (`AgentStore`) and the open requests for people (`ApprovalStore`, also
 * written by `commit`'s one statement), each passing its contract suite. Payloads are `jsonb`. Driver errors
 * never leave the adapter: they become `ConflictError`, `NotFoundError` or a `StorageError` naming the server
 * (never its credentials) and the cause; an unreachable server is a retryable `StorageError`, and the pool
 * reconnects once the server is back.
 */
export class PostgresStore
  implements Store, WorkStore, CommandStore, BreakerStore, AgentStore, ApprovalStore
{
  readonly #pool: pg.Pool;
  readonly #where: string;
  readonly #stats: QueryStats;
  readonly #serverMajor: number;
  readonly #send: RunStatement = async (doing, statement, values) => {
    let params: unknown[];
    try {
      params = values();
    } catch (error) {
      // A payload JSON cannot hold (a BigInt, a cycle) fails here, before anything is sent.
      throw toStoreError(error, this.#where, doing);
    }
    return this.#query(doing, statement, params);
  };
  readonly #work = new PostgresWork(this.#send);
  readonly #commands = new PostgresCommands(this.#send);
  readonly #breakers = new PostgresBreakers(this.#send);
  readonly #agents = new PostgresAgents(this.#send);
  readonly #approvals = new PostgresApprovals(this.#send);
  #closed = false;

  private constructor(pool: pg.Pool, where: string, stats: QueryStats, serverMajor: number) {
    this.#pool = pool;
    this.#where = where;
    this.#stats = stats;
    this.#serverMajor = serverMajor;
  }

  /**
   * Connects, checks the server version and brings the schema up to date. An unreachable server, a refused
   * login, a server older than PostgreSQL 14 or a schema newer than this code is a `StorageError` that says
   * which and how to fix it; the pool is closed again before it is thrown.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const where = describeServer(url);
    const stats = new QueryStats();
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'baton',
      types: TYPES,
    });
    // An idle connection that breaks (the server restarted) is dropped by the pool; without a listener the
    // 'error' event would end the process.
    pool.on('error', () => undefined);
    // The same for a connection that breaks while checked out between queries: its query fails and maps to a
    // StorageError; the 'error' event it also emits must not end the process.
    pool.on('connect', (client) => client.on('error', () => undefined));
    pool.on('connect', () => stats.connected());
    try {
      const client = await pool.connect();
      let broken: unknown;
      try {
        const session = {
          query: <R extends object>(text: string, values?: unknown[]) =>
            stats.measure(client, () => client.query(text, values)) as Promise<{ rows: R[] }>,
        };
        const { rows } = await session.query<{ num: string; text: string }>(
          "SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text",
        );
        const major = checkServerVersion(rows[0]?.num ?? '', rows[0]?.text ?? '', where);
        await migrate(session, where);
        return new PostgresStore(pool, where, stats, major);
      } catch (error) {
        broken = error;
        throw error;
      } finally {
        client.release(broken !== undefined && !isServerError(broken));
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw toStoreError(error, where, 'opening the store');
    }
  }

  /** Round trips and bytes so far (see {@link PostgresStoreStats}). */
  stats(): PostgresStoreStats {
    return this.#stats.snapshot();
  }

  /** The server the store talks to and its major version. */
  info(): PostgresStoreInfo {
    return { server: this.#where, serverMajor: this.#serverMajor };
  }

  async saveWorkflow(workflow: Workflow, savedAt: number): Promise<void> {
    const values = [workflow.id, workflow.version, savedAt, jsonb(workflow)];
    // A second attempt only happens when another process inserted the same version after this statement's
    // snapshot was taken: the next statement sees it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const [row] = await this.#query<{ inserted: boolean; same: boolean | null }>(
        'saving a workflow',
        SAVE_WORKFLOW,
        values,
      );
      if (row?.inserted === true || row?.same === true) return;
      if (row?.same === false) {
        throw new ConflictError(
          `workflow "${workflow.id}" version ${workflow.version} is already saved with other content; save the change as a new version`,
        );
      }
    }
    throw new StorageError(`saving workflow "${workflow.id}" on ${this.#where} kept racing another writer`, {
      retryable: true,
    });
  }

  async getWorkflow(id: string, version?: string): Promise<StoredWorkflow | undefined> {
    const [row] =
      version === undefined
        ? await this.#query<WorkflowRow>('reading a workflow', WORKFLOW_LATEST, [id])
        : await this.#query<WorkflowRow>('reading a workflow', WORKFLOW_VERSION, [id, version]);
    return row && workflowFromRow(row);
  }

  async listWorkflows(): Promise<StoredWorkflow[]> {
    return (await this.#query<WorkflowRow>('listing workflows', WORKFLOWS_LATEST, [])).map(workflowFromRow);
  }

  createRun(run: RunRecord, tasks: readonly TaskRecord[], events: readonly RunEvent[]): Promise<void> {
    return this.#write('creating a run', () => commitRows([], [{ run, tasks, events }]));
  }

  commit(deltas: readonly RunDelta[], created?: readonly NewRun[]): Promise<void> {
    return this.#write('committing', () => commitRows(deltas, created));
  }

  loadRun(runId: string): Promise<{ run: RunRecord; tasks: TaskRecord[] } | undefined> {
    // Two reads of one snapshot, so the tasks belong to the run as read even while a commit lands.
    return this.#transaction('loading a run', async (send) => {
      const [run] = await send<RunRow>(SELECT_RUN, [runId]);
      if (run === undefined) return undefined;
      const tasks = await send<TaskRow>(SELECT_TASKS, [runId]);
      return { run: runFromRow(run), tasks: tasks.map(taskFromRow) };
    });
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const [row] = await this.#query<RunRow>('reading a run', SELECT_RUN, [runId]);
    return row && runFromRow(row);
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const { statement, values } = listRuns(query, DEFAULT_LIST_LIMIT);
    return (await this.#query<RunRow>('listing runs', statement, values)).map(runFromRow);
  }

  async readEvents(runId: string, afterSeq = 0, limit?: number): Promise<RunEvent[]> {
    const rows = await this.#query<EventRow>('reading events', SELECT_EVENTS, [
      runId,
      afterSeq,
      limit ?? null,
    ]);
    return rows.map(eventFromRow);
  }

  async claimRuns(
    owner: string,
    now: number,
    leaseUntil: number,
    limit?: number,
    takeFrom: readonly string[] = [],
  ): Promise<string[]> {
    const values = [owner, now, leaseUntil, limit ?? null, [...takeFrom]];
    return (await this.#query<{ id: string }>('claiming runs', CLAIM, values)).map((row) => row.id);
  }

  async runOwners(): Promise<string[]> {
    return (await this.#query<{ owner: string }>('listing run owners', OWNERS, [])).map((row) => row.owner);
  }

  async renewLease(owner: string, runIds: readonly string[], leaseUntil: number): Promise<string[]> {
    const rows = await this.#query<{ id: string }>('renewing leases', RENEW, [
      owner,
      [...runIds],
      leaseUntil,
    ]);
    return rows.map((row) => row.id);
  }

  async releaseRuns(owner: string, runIds: readonly string[]): Promise<void> {
    await this.#query('releasing runs', RELEASE, [owner, [...runIds]]);
  }

  claimWork(
    signal: { runId: string; taskKey: string; attempt: number },
    worker: string,
    now: number,
    leaseUntil: number,
  ): Promise<WorkClaim | undefined> {
    return this.#work.claim(signal, worker, now, leaseUntil);
  }

  renewWork(claim: WorkClaim, leaseUntil: number): Promise<boolean> {
    return this.#work.renew(claim, leaseUntil);
  }

  saveCheckpoint(claim: WorkClaim, data: unknown): Promise<boolean> {
    return this.#work.saveCheckpoint(claim, data);
  }

  completeWork(claim: WorkClaim, outcome: WorkOutcome): Promise<{ owner: string | undefined } | undefined> {
    return this.#work.complete(claim, outcome);
  }

  takeResults(owner: string, limit?: number): Promise<WorkResult[]> {
    return this.#work.take(owner, limit);
  }

  pendingWork(now: number, queuedBefore: number, limit?: number): Promise<WorkItem[]> {
    return this.#work.pending(now, queuedBefore, limit);
  }

  enqueueCommand(runId: string, input: RunControl, at: number): Promise<number> {
    return this.#commands.enqueue(runId, input, at);
  }

  pendingCommands(limit?: number): Promise<RunCommand[]> {
    return this.#commands.pending(limit);
  }

  runCommands(runId: string): Promise<RunCommand[]> {
    return this.#commands.ofRun(runId);
  }

  settleCommand(settlement: CommandSettlement): Promise<void> {
    return this.#commands.settle(settlement);
  }

  commandResult(id: number): Promise<SettledCommand | undefined> {
    return this.#commands.result(id);
  }

  loadBreakers(): Promise<BreakerRecord[]> {
    return this.#breakers.load();
  }

  saveBreakers(records: readonly BreakerRecord[]): Promise<void> {
    return this.#breakers.save(records);
  }

  saveAgent(definition: AgentDefinition): Promise<void> {
    return this.#agents.save(definition);
  }

  listAgents(): Promise<AgentDefinition[]> {
    return this.#agents.list();
  }

  agentExecutions(agent: string, limit?: number): Promise<AgentExecution[]> {
    return this.#agents.executions(agent, limit);
  }

  agentUsage(): Promise<{ agent: string; tasks: number; runs: number; lastUsedAt: number }[]> {
    return this.#agents.usage();
  }

  openRequests(query?: OpenRequestQuery): Promise<OpenRequest[]> {
    return this.#approvals.list(query);
  }

  /** Closes every connection once the calls in flight are done. Closing again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#pool.end();
    } catch (error) {
      throw toStoreError(error, this.#where, 'closing the store');
    }
  }

  /** Writes the rows of a `commit` or `createRun` call with the commit statement; sends nothing when empty. */
  async #write(doing: string, reduce: () => CommitRows): Promise<void> {
    if (this.#closed) throw this.#closedError();
    let values: unknown[];
    try {
      const rows = reduce();
      if (isEmpty(rows)) return;
      values = commitParams(rows);
    } catch (error) {
      // A payload JSON cannot hold (a BigInt, a cycle) fails here, before anything is sent.
      throw toStoreError(error, this.#where, doing);
    }
    await this.#query(doing, COMMIT, values, true);
    this.#stats.committed();
  }

  /** Runs one statement on a pooled connection and returns its rows, or rejects with the mapped error. */
  async #query<R>(doing: string, statement: Statement, values: unknown[], commit = false): Promise<R[]> {
    const client = await this.#connect(doing);
    let broken = false;
    try {
      const config = { name: statement.name, text: statement.text, values };
      return (await this.#stats.measure(client, () => client.query(config), commit)).rows as R[];
    } catch (error) {
      broken = !isServerError(error);
      throw toStoreError(error, this.#where, doing);
    } finally {
      // A connection whose socket failed is discarded rather than handed to the next call.
      client.release(broken);
    }
  }

  /** Runs `work` in a read-only REPEATABLE READ transaction on one connection. */
  async #transaction<T>(
    doing: string,
    work: (send: <R>(statement: Statement, values: unknown[]) => Promise<R[]>) => Promise<T>,
  ): Promise<T> {
    const client = await this.#connect(doing);
    const send = async <R>(statement: Statement | string, values: unknown[] = []): Promise<R[]> => {
      const config = typeof statement === 'string' ? { text: statement } : { ...statement, values };
      return (await this.#stats.measure(client, () => client.query(config))).rows as R[];
    };
    let broken = false;
    try {
      await send('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await work(send);
      await send('COMMIT');
      return result;
    } catch (error) {
      // After a server error the transaction is aborted but the connection is fine once rolled back.
      broken =
        !isServerError(error) ||
        !(await send('ROLLBACK').then(
          () => true,
          () => false,
        ));
      throw toStoreError(error, this.#where, doing);
    } finally {
      client.release(broken);
    }
  }

  async #connect(doing: string): Promise<pg.PoolClient> {
    if (this.#closed) throw this.#closedError();
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw toStoreError(error, this.#where, doing);
    }
  }

  #closedError(): StorageError {
    return new StorageError(`the store for ${this.#where} is closed`);
  }
}
