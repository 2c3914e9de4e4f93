import { ConflictError, DefinitionError, NotFoundError } from '../errors/errors.js';
import type { EngineCommand, EngineInput } from '../execution/engine-input.js';
import { FINAL_RUN_STATUSES } from '../execution/lifecycle.js';
import type { RunRecord, TaskRecord } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';
import { createRunState, decide, type RunState } from '../execution/index.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { EventBus } from '../ports/event-bus.js';
import { alternativeAgents, resolveAgent } from './agent-resolver.js';
import { CircuitBreakers } from './circuit-breakers.js';
import { CommandInbox, hasCommandStore } from './command-inbox.js';
import { toErrorInfo } from './error-info.js';
import { LocalEventBus } from './local-event-bus.js';
import { LocalTaskQueue } from './local-task-queue.js';
import { checkControl, waitsOnlyForPeople } from './run-inspection.js';
import type { EngineOptions, StartRunOptions } from './engine-options.js';
import { GroupCommit, type PendingDecision } from './group-commit.js';
import { LeaseKeeper } from './lease-keeper.js';
import { SchemaCheck } from './schema-check.js';
import { WorkflowVersions } from './workflow-versions.js';
import { runAgentTask, type Dispatch, type TaskRunnerDeps } from './task-runner.js';
import { RemoteDispatcher } from './remote-execution.js';
import type { WorkItem } from '../ports/work-store.js';
import type { CommandSettlement, RunCommand, RunControl } from '../ports/command-store.js';
import type { BreakerStore } from '../ports/breaker-store.js';
import type { DecideContext } from '../execution/decision-step.js';

/** A run the engine drives, held in memory while it is active. */
interface ActiveRun {
  state: RunState;
  workflow: Workflow;
  dispatches: Map<string, Dispatch>;
  controllers: Map<string, AbortController>;
  timers: Map<string, () => void>;
  checkpoints: Map<string, unknown>;
  deps?: TaskRunnerDeps;
}

/**
 * The driver of DESIGN §4: keeps active runs in memory, feeds every input through the pure `decide`, commits
 * each decision's delta (decisions of the same event-loop turn together: group commit), and only then performs
 * the commands — dispatching agents through the queue, arming timers, cancelling tasks, starting child runs.
 */
export class Engine {
  readonly #o: Required<Pick<EngineOptions, 'store' | 'clock' | 'ids' | 'catalog' | 'runtimes'>> & {
    owner: string;
    leaseMs: number;
    commandTimeoutMs: number;
    onError: (error: unknown) => void;
    isOwnerGone: (owner: string) => boolean;
  };
  readonly bus: EventBus;
  readonly #queue: LocalTaskQueue;
  readonly #schemas = new SchemaCheck();
  readonly #runs = new Map<string, ActiveRun>();
  /**
   * Runs this process owns that wait only for people: kept as a row in the store, not in memory (DESIGN §4),
   * and loaded again when someone acts on them.
   */
  readonly #parked = new Set<string>();
  readonly #unparking = new Map<string, Promise<ActiveRun | undefined>>();
  readonly #versions: WorkflowVersions;
  readonly #waiters = new Map<string, ((run: RunRecord) => void)[]>();
  readonly #commits: GroupCommit<ActiveRun>;
  #stopQueue: (() => Promise<void>) | undefined;
  readonly #leases: LeaseKeeper;
  /** Distributed mode: agent tasks go to workers through the outbox instead of the local queue. */
  readonly #remote: RemoteDispatcher | undefined;
  /** Circuit breakers of every agent version this process calls, shared by all its runs. */
  readonly breakers: CircuitBreakers;
  /** Operator commands for the runs this process drives, sent by other processes. */
  readonly #inbox: CommandInbox | undefined;
  readonly #ctx: Omit<DecideContext, 'now'>;
  #stopping = false;

  constructor(options: EngineOptions) {
    this.#o = {
      ...options,
      owner: options.owner ?? options.ids.next('engine'),
      leaseMs: options.leaseMs ?? 30_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
      onError: options.onError ?? (() => undefined),
      isOwnerGone: options.isOwnerGone ?? (() => false),
    };
    this.#versions = new WorkflowVersions(options.store, options.clock);
    this.#leases = new LeaseKeeper({
      ...this.#o,
      held: () => [...this.#runs.keys(), ...this.#parked],
      adopt: async (runId) => {
        const active = await this.#load(runId);
        if (active) this.#apply(active, { type: 'recover' });
      },
    });
    this.#commits = new GroupCommit<ActiveRun>({
      store: options.store,
      release: (batch) => this.#release(batch),
      publish: (events) => this.bus.publish(events),
      evict: (runId) => this.#evict(runId),
      onError: (error) => this.#o.onError(error),
    });
    this.bus = options.bus ?? new LocalEventBus({ onListenerError: this.#o.onError });
    const store = options.store;
    this.breakers = new CircuitBreakers(
      options.clock,
      'loadBreakers' in store ? (store as typeof store & BreakerStore) : undefined,
      options.breaker,
      this.#o.onError,
    );
    this.#ctx = {
      resolveAgent: (node) => resolveAgent(this.#o.catalog, node),
      alternatives: (node, primary) => alternativeAgents(this.#o.catalog, node, primary),
      admits: (agent) => this.breakers.admits(agent),
    };
    this.#inbox = hasCommandStore(store)
      ? new CommandInbox({
          store,
          clock: options.clock,
          pollMs: options.commandPollMs ?? 50,
          onError: this.#o.onError,
          holds: (runId) => this.#runs.has(runId) || this.#parked.has(runId),
          apply: (command) => this.#applyCommand(command),
        })
      : undefined;
    this.#remote =
      options.remote &&
      new RemoteDispatcher(
        options.remote,
        options.clock,
        this.#o.owner,
        (runId, outcome) => {
          const active = this.#runs.get(runId);
          if (!active) return;
          const agent = active.state.task(outcome.taskKey)?.agent;
          if (agent) this.breakers.record(agent, outcome.type === 'agent.failed' ? outcome.error : undefined);
          this.#apply(active, outcome);
        },
        this.#o.onError,
      );
    this.#queue = new LocalTaskQueue({
      global: options.concurrency ?? 256,
      perAgent: (id) => this.#o.catalog.resolve({ id })?.config.maxConcurrency,
      perRun: (runId) => this.#runs.get(runId)?.workflow.policies.concurrency?.maxParallelTasks,
    });
  }

  /** Starts handing out tasks, then takes over and recovers runs that no live process drives. */
  async start(): Promise<void> {
    this.#stopQueue = this.#queue.consume((task) => this.#runTask(task.runId, task.taskKey, task.attempt));
    await this.breakers.start();
    await this.#leases.claimOrphans();
    this.#leases.start();
    this.#remote?.start();
    this.#inbox?.start();
  }

  /** Starts a run of `workflow` (saved as a version if new). Rejects invalid input before a run exists. */
  async startRun(
    workflow: Workflow,
    input: Record<string, unknown> = {},
    options: StartRunOptions = {},
  ): Promise<RunRecord> {
    const data = structuredClone(input);
    const problems = this.#schemas.check(this.#versions.inputSchema(workflow), data);
    if (problems.length > 0) {
      throw new DefinitionError(
        `the input of workflow "${workflow.id}" is invalid: ${problems.join('; ')}`,
        problems.map((message) => ({
          code: 'INVALID_INPUT',
          path: 'input',
          message,
          severity: 'error' as const,
        })),
      );
    }
    workflow = await this.#versions.save(workflow);
    const now = this.#o.clock.now();
    const run: RunRecord = {
      id: options.runId ?? this.#o.ids.next('run'),
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      status: 'queued',
      priority: options.priority ?? workflow.policies.priority,
      input: data,
      vars: Object.fromEntries(Object.entries(workflow.variables).map(([k, v]) => [k, v.default ?? null])),
      costUsd: 0,
      createdAt: now,
      ...(options.parent ? { parent: options.parent } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      owner: this.#o.owner,
      leaseUntil: now + this.#o.leaseMs,
    };
    const created: RunEvent = {
      type: 'run.created',
      runId: run.id,
      seq: 1,
      at: now,
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      input: data,
    };
    // A duplicate id fails its own caller here rather than the group commit it would join.
    if (this.#runs.has(run.id) || (await this.#o.store.getRun(run.id)) || this.#runs.has(run.id)) {
      throw new ConflictError(`run "${run.id}" already exists`);
    }
    // The run is created by the next flush, in the transaction of its first decisions.
    const durable = this.#commits.create({ run: { ...run }, tasks: [], events: [created] });
    const active = this.#activate(workflow, run, [], 1);
    this.#apply(active, { type: 'start' });
    const result = { ...run };
    await durable;
    return result;
  }

  /** Saves a workflow version so runs and subworkflow nodes can name it. Idempotent for the same version. */
  async saveWorkflow(workflow: Workflow): Promise<Workflow> {
    return this.#versions.save(workflow);
  }

  /** Resolves with the run once it reaches a final status. */
  async waitForRun(runId: string): Promise<RunRecord> {
    const stored = await this.#o.store.getRun(runId);
    if (!stored) throw new NotFoundError(`no run "${runId}"`);
    if (FINAL_RUN_STATUSES.has(stored.status) && !this.#runs.has(runId)) return stored;
    return new Promise((resolve) => {
      const list = this.#waiters.get(runId) ?? [];
      list.push(resolve);
      this.#waiters.set(runId, list);
    });
  }

  /**
   * Feeds an operator's act or an approver's decision to a run — one this engine drives, or one another process
   * sharing the store drives (through the store's command inbox; a run nobody drives is taken over here).
   * Resolves once it is applied; a control the run cannot take is refused with the reason (`ConflictError`,
   * `NotFoundError`), and nothing changes.
   */
  async send(runId: string, input: RunControl): Promise<void> {
    const active = this.#runs.get(runId) ?? (await this.#unpark(runId));
    if (active) {
      checkControl(active.state, input);
      this.#apply(active, input);
      await this.#commits.settled;
      return;
    }
    const run = await this.#o.store.getRun(runId);
    if (!run) throw new NotFoundError(`no run "${runId}"`);
    if (FINAL_RUN_STATUSES.has(run.status))
      throw new ConflictError(`run "${runId}" is ${run.status}`, { details: { code: 'RUN_FINISHED' } });
    if (!this.#inbox)
      throw new ConflictError(`run "${runId}" is ${run.status} and not driven by this process`);
    await this.#inbox.send(runId, input, this.#o.commandTimeoutMs, () => this.#leases.claimOrphans());
  }

  /** Applies a command from the inbox to a run this process drives, settling it with the decision. */
  async #applyCommand(command: RunCommand): Promise<void> {
    const active = this.#runs.get(command.runId) ?? (await this.#unpark(command.runId));
    if (!active || !this.#inbox) return;
    try {
      checkControl(active.state, command.input);
    } catch (error) {
      const at = this.#o.clock.now();
      await this.#inbox.refuse(command, toErrorInfo(error), at);
      return;
    }
    this.#apply(active, command.input, this.#inbox.accepted(command));
    await this.#commits.settled;
  }

  /** Stops taking work, aborts in-flight tasks (they run again after a restart) and releases run claims. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#leases.stop();
    this.#remote?.stop();
    this.breakers.stop();
    await this.#inbox?.stop();
    for (const run of this.#runs.values()) {
      for (const controller of run.controllers.values()) controller.abort(new Error('engine stopping'));
      for (const cancel of run.timers.values()) cancel();
    }
    await this.#stopQueue?.();
    await this.#commits.settled;
    await this.#o.store.releaseRuns(this.#o.owner, [...this.#runs.keys(), ...this.#parked]);
    this.#runs.clear();
    this.#parked.clear();
  }

  /** Runs this process holds in memory now (runs waiting only for people are parked in the store). */
  get activeRuns(): number {
    return this.#runs.size;
  }

  #activate(workflow: Workflow, run: RunRecord, tasks: readonly TaskRecord[], lastSeq: number): ActiveRun {
    const active: ActiveRun = {
      state: createRunState(workflow, run, tasks, lastSeq),
      workflow,
      dispatches: new Map(),
      controllers: new Map(),
      timers: new Map(),
      checkpoints: new Map(),
    };
    this.#runs.set(run.id, active);
    return active;
  }

  #apply(active: ActiveRun, input: EngineInput, settlement?: CommandSettlement): void {
    if (this.#stopping) return;
    const decision = decide(active.state, input, { ...this.#ctx, now: this.#o.clock.now() });
    const { delta, commands } = decision;
    if (settlement) delta.commands = [settlement];
    else if (delta.events.length === 0 && delta.tasks.length === 0 && !delta.run && commands.length === 0)
      return;
    if (this.#remote) {
      // The outbox rows of this decision's dispatches commit in the same transaction as the decision.
      const work: WorkItem[] = [];
      for (const command of commands) {
        if (command.type === 'dispatch')
          work.push(this.#remote.item(active.state.run.id, active.state.run.priority, command));
      }
      if (work.length > 0) delta.work = work;
    }
    this.#commits.add({ run: active, runId: active.state.run.id, decision });
  }

  /** Publishes the events of committed decisions, then performs their commands. */
  #release(batch: readonly PendingDecision<ActiveRun>[]): void {
    const events: RunEvent[] = [];
    for (const { decision } of batch) for (const event of decision.delta.events) events.push(event);
    if (events.length > 0) this.bus.publish(events);
    for (const { run, decision } of batch) this.#perform(run, decision.commands, decision.delta.work);
    for (const { run } of batch) this.#parkIfIdle(run);
  }

  /** Moves a run out of memory when nothing but a person's decision can move it on. */
  #parkIfIdle(active: ActiveRun): void {
    const idle = active.timers.size + active.dispatches.size + active.controllers.size === 0;
    const id = active.state.run.id;
    if (!idle || this.#runs.get(id) !== active || !waitsOnlyForPeople(active.state)) return;
    this.#runs.delete(id);
    this.#parked.add(id);
  }

  /** Loads a parked run back into memory; concurrent calls share one load. */
  #unpark(runId: string): Promise<ActiveRun | undefined> {
    if (!this.#parked.has(runId)) return Promise.resolve(undefined);
    let loading = this.#unparking.get(runId);
    if (!loading) {
      loading = this.#load(runId).finally(() => {
        this.#parked.delete(runId);
        this.#unparking.delete(runId);
      });
      this.#unparking.set(runId, loading);
    }
    return loading;
  }

  /** Loads a run from the store into memory, as it was last committed. */
  async #load(runId: string): Promise<ActiveRun | undefined> {
    const loaded = await this.#o.store.loadRun(runId);
    const workflow = loaded && (await this.#versions.load(loaded.run.workflowId, loaded.run.workflowVersion));
    if (!loaded || !workflow) return undefined;
    const lastSeq = (await this.#o.store.readEvents(runId)).at(-1)?.seq ?? 0;
    return this.#activate(workflow, loaded.run, loaded.tasks, lastSeq);
  }

  #perform(active: ActiveRun, commands: readonly EngineCommand[], work?: readonly WorkItem[]): void {
    const runId = active.state.run.id;
    for (const command of commands) {
      switch (command.type) {
        case 'dispatch': {
          const item = work?.find((w) => w.taskKey === command.taskKey);
          if (this.#remote && item) {
            this.#remote.signal(item);
            break;
          }
          active.dispatches.set(command.taskKey, command);
          this.#queue.enqueueOne({
            runId,
            taskKey: command.taskKey,
            attempt: command.attempt,
            agentId: command.agent.id,
            runPriority: active.state.run.priority,
            rank: command.rank,
            enqueuedAt: this.#o.clock.now(),
          });
          break;
        }
        case 'setTimer': {
          active.timers.get(command.taskKey)?.();
          const delay = Math.max(0, command.at - this.#o.clock.now());
          const cancel = this.#o.clock.setTimer(delay, () => {
            active.timers.delete(command.taskKey);
            this.#apply(active, { type: 'timer.fired', taskKey: command.taskKey });
          });
          active.timers.set(command.taskKey, cancel);
          break;
        }
        case 'cancelTask':
          this.#remote?.cancel(runId, command.taskKey);
          active.dispatches.delete(command.taskKey);
          this.#queue.remove(runId, [command.taskKey]);
          active.controllers.get(command.taskKey)?.abort(new Error(command.reason));
          active.timers.get(command.taskKey)?.();
          active.timers.delete(command.taskKey);
          this.#cancelChildren(runId, command.taskKey, command.reason);
          break;
        case 'startChildRun':
          void this.#startChild(active, command);
          break;
        case 'finished':
          this.#finish(active);
          break;
      }
    }
  }

  async #runTask(runId: string, taskKey: string, attempt: number): Promise<void> {
    const active = this.#runs.get(runId);
    const dispatch = active?.dispatches.get(taskKey);
    if (!active || !dispatch || dispatch.attempt !== attempt) return;
    active.dispatches.delete(taskKey);
    const controller = new AbortController();
    active.controllers.set(taskKey, controller);
    const outcome = await runAgentTask(
      this.#taskDeps(active),
      runId,
      dispatch,
      controller,
      active.checkpoints,
    );
    active.controllers.delete(taskKey);
    this.breakers.record(
      `${dispatch.agent.id}@${dispatch.agent.version}`,
      outcome.type === 'agent.failed' ? outcome.error : undefined,
    );
    this.#apply(active, outcome);
  }

  /** What the task runner needs for tasks of `active`, made once per run. */
  #taskDeps(active: ActiveRun): TaskRunnerDeps {
    return (active.deps ??= {
      clock: this.#o.clock,
      runtimes: this.#o.runtimes,
      schemas: this.#schemas,
      report: (input: EngineInput) => this.#apply(active, input),
    });
  }

  async #startChild(
    parent: ActiveRun,
    command: Extract<EngineCommand, { type: 'startChildRun' }>,
  ): Promise<void> {
    const fail = (message: string): void =>
      this.#apply(parent, {
        type: 'child.failed',
        taskKey: command.taskKey,
        error: { code: 'NOT_FOUND', message, retryable: false },
      });
    const runId = childRunId(parent.state.run.id, command.taskKey, command.attempt);
    try {
      const existing = await this.#o.store.getRun(runId);
      if (existing) {
        // Asked again after a restart: the child exists, and finishing it reports to this parent.
        if (FINAL_RUN_STATUSES.has(existing.status)) this.#reportToParent(existing);
        return;
      }
      const workflow = await this.#versions.load(command.workflow.id, command.workflow.version);
      if (!workflow) {
        const version = command.workflow.version ? `@${command.workflow.version}` : '';
        return fail(`no saved workflow "${command.workflow.id}${version}"; save it before running this one`);
      }
      await this.startRun(workflow, command.input, {
        runId,
        parent: { runId: parent.state.run.id, taskKey: command.taskKey },
        priority: parent.state.run.priority,
      });
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }

  #finish(active: ActiveRun): void {
    const run = { ...active.state.run };
    this.#evict(run.id);
    for (const resolve of this.#waiters.get(run.id) ?? []) resolve(run);
    this.#waiters.delete(run.id);
    this.#reportToParent(run);
  }

  /** Tells a parent run this process drives that its child run ended. */
  #reportToParent(run: RunRecord): void {
    const parent = run.parent ? this.#runs.get(run.parent.runId) : undefined;
    if (parent && run.parent) {
      this.#apply(
        parent,
        run.status === 'completed'
          ? {
              type: 'child.completed',
              taskKey: run.parent.taskKey,
              output: run.output ?? {},
              costUsd: run.costUsd,
            }
          : {
              type: 'child.failed',
              taskKey: run.parent.taskKey,
              error: run.error ?? {
                code: 'CANCELLED',
                message: `child run ${run.id} was ${run.status}`,
                retryable: false,
              },
            },
      );
    }
  }

  /** Cancels child runs this process drives that a cancelled subworkflow task started. */
  #cancelChildren(runId: string, taskKey: string, reason: string): void {
    for (const child of this.#runs.values()) {
      const parent = child.state.run.parent;
      if (parent?.runId === runId && parent.taskKey === taskKey)
        this.#apply(child, { type: 'cancel', reason });
    }
  }

  #evict(runId: string): void {
    const active = this.#runs.get(runId);
    if (!active) return;
    for (const cancel of active.timers.values()) cancel();
    this.#queue.remove(runId);
    this.#runs.delete(runId);
  }
}

/** The id of the child run a subworkflow task starts: the same for a repeated request. */
function childRunId(parentRunId: string, taskKey: string, attempt: number): string {
  return `${parentRunId}.${taskKey}.${attempt}`;
}
