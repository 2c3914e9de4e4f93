import {
  Engine,
  NotFoundError,
  Worker,
  fromNestedForm,
  isNestedForm,
  parseWorkflow,
  replayRun,
  runMetrics,
  type AgentCatalog,
  type Clock,
  type IdSource,
  type RunEvent,
  type RunQuery,
  type ReplayResult,
  type RunRecord,
  type StartRunOptions,
  type ForkOptions,
  type OrgLimits,
  type TaskRecord,
  type Workflow,
  type WorkflowExecutionMetrics,
} from '@baton/core';
import { createAgentSetup, type AgentRegistration, type AgentSetupOptions } from './agent-setup.js';
import { agentImport, type AgentImport } from './agent-import.js';
import { agentInsights, type AgentInsights } from './agent-insights.js';
import { agentRegistry, type AgentRegistry } from './agent-registry.js';
import { approvalsInbox, type ApprovalsInbox } from './approvals-inbox.js';
import { AGENT_SYNC_MS, StoredAgentSync } from './stored-agents.js';
import { openInfrastructure, type InfrastructureOptions } from './infrastructure.js';
import { runControls, type RunControls } from './run-controls.js';
import { isOwnerGone, processOwner } from './process-owner.js';
import { SystemClock } from './system-clock.js';
import { TimeOrderedIds } from './time-ordered-ids.js';
import { engineRunHost } from './workflow-agent-runtime.js';

export type { AgentFunction, AgentRegistration } from './agent-setup.js';
export type { AgentRegistry, AgentSaveInput, AgentUsage, DeprecateOptions } from './agent-registry.js';

/**
 * Options of a Baton in this process: embedded on SQLite by default; on PostgreSQL (and Redis) when database
 * (and Redis) URLs are given or set in the environment — see {@link InfrastructureOptions}.
 */
export interface CreateBatonOptions extends InfrastructureOptions, AgentSetupOptions {
  /**
   * Agents to register besides the built-in ones, with the function that does the work for `function`
   * agents. Registered before unfinished runs are resumed, so recovered tasks find their agents, as are the
   * definitions saved in the store's agent registry (see {@link AgentRegistry}).
   */
  agents?: readonly AgentRegistration[];
  /** Agent tasks running at once (default 256). */
  concurrency?: number;
  /**
   * How often the catalog takes in what other processes sharing the store saved to the agent registry —
   * registrations, deprecations, status changes (default 2,000 ms).
   */
  agentSyncMs?: number;
  /** Limits per org (runs name theirs with `startRun(…, { org })`; those that do not belong to `default`). */
  orgLimits?: Readonly<Record<string, OrgLimits>>;
  /**
   * Distributed mode with Redis: also run agent tasks in this process, for these pools (default `default`).
   * Without it, only `baton worker` processes run them.
   */
  worker?: { pools?: readonly string[]; concurrency?: number };
  /** Injected for tests. */
  clock?: Clock;
  ids?: IdSource;
}

/** A run with its tasks and figures, as `baton runs show` prints it. */
export interface RunDetails {
  run: RunRecord;
  tasks: TaskRecord[];
  metrics: WorkflowExecutionMetrics;
}

/** Baton in this process: a durable engine with the built-in agents, embedded on SQLite or distributed. */
export interface Baton extends RunControls, AgentRegistry, AgentInsights, AgentImport, ApprovalsInbox {
  /** `embedded`: SQLite, agents run here; `distributed`: PostgreSQL, and with Redis agents run on workers. */
  readonly mode: 'embedded' | 'distributed';
  /** Where the state is: the data directory, or the database (without credentials). */
  readonly location: string;
  /** The agent catalog: built-in agents, those registered in code and those saved in the registry. */
  readonly catalog: AgentCatalog;
  /** Validates a workflow document (graph or the spec's nested form) against the catalog. */
  parseWorkflow(document: unknown): Workflow;
  /** Starts a run; the input is checked against the workflow's `inputs` schema first. */
  startRun(
    /** A workflow document (graph or nested form) or a parsed `Workflow`; validated either way. */
    workflow: unknown,
    input?: Record<string, unknown>,
    options?: StartRunOptions,
  ): Promise<RunRecord>;
  /** Starts a run and waits for its end. */
  run(
    /** A workflow document (graph or nested form) or a parsed `Workflow`; validated either way. */
    workflow: unknown,
    input?: Record<string, unknown>,
    options?: StartRunOptions,
  ): Promise<RunRecord>;
  /**
   * Resolves when the run ends: at once for an ended run; for an unfinished one, only when this process drives
   * it (`drives`), since the end of a run another process drives is not heard here.
   */
  waitForRun(runId: string): Promise<RunRecord>;
  /** Whether this process drives the run: its events reach `subscribe` here as they happen, and its end. */
  drives(runId: string): boolean;
  /** Live events of one run, or of every run with `'*'`. Returns the function that stops listening. */
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
  getRun(runId: string): Promise<RunDetails | undefined>;
  /** Validates and saves a workflow version, so subworkflow nodes of other workflows can run it. */
  saveWorkflow(document: unknown): Promise<Workflow>;
  /** A saved workflow version; without `version`, the newest. */
  getWorkflow(id: string, version?: string): Promise<Workflow | undefined>;
  /** The newest saved version of every workflow, with when it was saved (ms since epoch). */
  listWorkflows(): Promise<{ workflow: Workflow; savedAt: number }[]>;
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  readEvents(runId: string, afterSeq?: number): Promise<RunEvent[]>;
  /**
   * Replays a run from its event log through the engine's `decide`, calling no agent, step by step with the
   * context of each step; says whether that reproduces the log exactly. Rejects with `NotFoundError` for an
   * unknown run or an unsaved workflow version.
   */
  replayRun(runId: string): Promise<ReplayResult>;
  /**
   * Forks a run from a node: a new run of the same workflow version (input: the original's with
   * `options.input` laid over it) that reuses the original's outputs upstream of `options.from` and runs that
   * node and everything downstream of it anew. Linked to the original by the `baton.forked-from` label.
   */
  fork(runId: string, options: ForkOptions): Promise<RunRecord>;
  /**
   * Stops the engine (in-flight tasks run again on the next start) and closes the store. Closing again waits
   * for the first close.
   */
  close(): Promise<void>;
}

/**
 * Opens (or creates) a Baton: the store (SQLite in `dataDir`, or PostgreSQL), the built-in agents, and an
 * engine that resumes every unfinished run nobody else drives.
 */
export async function createBaton(options: CreateBatonOptions = {}): Promise<Baton> {
  const infrastructure = await openInfrastructure(options);
  const { store, remote, redis } = infrastructure;
  const clock = options.clock ?? new SystemClock();
  const ids = options.ids ?? new TimeOrderedIds(() => clock.now());
  const agents = createAgentSetup(options.agents, options);
  const { catalog, runtimes, register } = agents;
  // Taken before the saved definitions are loaded: these keep their definition and runtime (see agentRegistry).
  const codeDefined = new Set(catalog.list().map((a) => `${a.id}@${a.version}`));
  const { registry, generation: registryGeneration } = agentRegistry({
    store,
    catalog,
    clock,
    register,
    codeDefined,
  });
  let synced = 0;
  const agentSync = new StoredAgentSync(store, catalog, codeDefined, () => synced++);
  const generation = (): number => agents.generation() + registryGeneration() + synced;
  const owner = processOwner();
  const engine = new Engine({
    store,
    clock,
    ids,
    owner,
    isOwnerGone,
    // Short leases: a run whose process vanished without a trace (another machine) is taken over within ~10 s.
    leaseMs: 10_000,
    catalog,
    runtimes,
    ...(infrastructure.bus ? { bus: infrastructure.bus } : {}),
    ...(remote ? { remote } : {}),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.orgLimits ? { orgLimits: options.orgLimits } : {}),
  });
  // Workflow agents start child runs on this engine, which is built with the runtimes: connected now.
  agents.workflows.attach(engineRunHost(engine, store));
  const worker =
    redis && options.worker
      ? new Worker({
          id: owner,
          ...redis,
          catalog,
          runtimes,
          clock,
          ...(options.worker.pools ? { pools: options.worker.pools } : {}),
          ...(options.worker.concurrency === undefined ? {} : { concurrency: options.worker.concurrency }),
          refreshCatalog: () => agentSync.refresh(),
        })
      : undefined;
  try {
    // Before the engine starts: runs it resumes dispatch with the saved statuses.
    await agentSync.refresh();
    await engine.start();
    agentSync.start(options.agentSyncMs ?? AGENT_SYNC_MS);
    worker?.start();
  } catch (error) {
    await infrastructure.close();
    await agents.close();
    throw error;
  }

  // Workflows this Baton validated, with the catalog generation they were validated against: starting many
  // runs of one parsed workflow validates it once, yet a new agent registration makes it count again.
  const validated = new WeakMap<object, number>();
  const toWorkflow = (document: unknown): Workflow => {
    if (typeof document === 'object' && document !== null && validated.get(document) === generation()) {
      return document as Workflow;
    }
    const workflow = parseWorkflow(isNestedForm(document) ? fromNestedForm(document) : document, {
      agents: catalog,
    });
    // Frozen, so what was validated is what runs: a later edit throws instead of slipping past validation.
    validated.set(deepFreeze(workflow), generation());
    return workflow;
  };

  let closing: Promise<void> | undefined;
  const baton: Baton = {
    mode: infrastructure.mode,
    location: infrastructure.location,
    catalog,
    parseWorkflow: toWorkflow,
    // Async, so that an invalid workflow rejects the promise rather than throwing at the call.
    startRun: async (workflow, input = {}, runOptions = {}) =>
      engine.startRun(toWorkflow(workflow), input, runOptions),
    async run(workflow, input = {}, runOptions = {}) {
      const run = await engine.startRun(toWorkflow(workflow), input, runOptions);
      return engine.waitForRun(run.id);
    },
    waitForRun: (runId) => engine.waitForRun(runId),
    drives: (runId) => engine.drives(runId),
    subscribe: (runId, listener) => engine.bus.subscribe(runId, listener),
    async getRun(runId) {
      const loaded = await store.loadRun(runId);
      if (!loaded) return undefined;
      const stored = await store.getWorkflow(loaded.run.workflowId, loaded.run.workflowVersion);
      if (!stored) return undefined;
      return { ...loaded, metrics: runMetrics(stored.workflow, loaded.run, loaded.tasks, clock.now()) };
    },
    saveWorkflow: async (document) => engine.saveWorkflow(toWorkflow(document)),
    getWorkflow: async (id, version) => (await store.getWorkflow(id, version))?.workflow,
    listWorkflows: () => store.listWorkflows(),
    listRuns: (query) => store.listRuns(query),
    readEvents: (runId, afterSeq) => store.readEvents(runId, afterSeq),
    async replayRun(runId) {
      const run = await store.getRun(runId);
      if (!run) throw new NotFoundError(`no run "${runId}" in ${infrastructure.location}`);
      const stored = await store.getWorkflow(run.workflowId, run.workflowVersion);
      if (!stored) {
        throw new NotFoundError(
          `workflow ${run.workflowId}@${run.workflowVersion} of run "${runId}" is not saved`,
        );
      }
      return replayRun(stored.workflow, run, await store.readEvents(runId), { agents: catalog });
    },
    fork: (runId, forkOptions) => engine.fork(runId, forkOptions),
    ...runControls(engine),
    ...registry,
    ...agentInsights(engine, store, catalog),
    ...agentImport(registry, catalog, engine, options),
    ...approvalsInbox(store),
    close: () =>
      (closing ??= (async () => {
        // First, so that tasks aborted by the shutdown leave their child runs to be recovered with them.
        agents.workflows.detach();
        await worker?.stop();
        await agentSync.stop();
        await engine.stop();
        await infrastructure.close();
        await agents.close();
      })()),
  };
  return baton;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
