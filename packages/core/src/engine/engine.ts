import { ConflictError, DefinitionError, NotFoundError } from '../errors/errors.js';
import type { EngineCommand, EngineInput } from '../execution/engine-input.js';
import { FINAL_RUN_STATUSES } from '../execution/lifecycle.js';
import type { RunRecord } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';
import { decide } from '../execution/index.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { EventBus } from '../ports/event-bus.js';
import { alternativeAgents, resolveAgent, selectionFacts } from './agent-resolver.js';
import { AgentMetrics, executionOf, type AgentOutcome } from '../registry/measured-performance.js';
import { ChildRuns } from './child-runs.js';
import { forkStart, isFork, reusedTasks, reuseDecisions, reuseOutput, type ForkOptions } from './fork.js';
import { newRun, orgOf } from './new-run.js';
import { CircuitBreakers } from './circuit-breakers.js';
import { CommandInbox, hasCommandStore } from './command-inbox.js';
import { toErrorInfo } from './error-info.js';
import { LocalEventBus } from './local-event-bus.js';
import { LocalTaskQueue } from './local-task-queue.js';
import { checkControl } from './run-inspection.js';
import type { EngineOptions, StartRunOptions } from './engine-options.js';
import { GroupCommit, type PendingDecision } from './group-commit.js';
import { HeldRuns, type ActiveRun } from './held-runs.js';
import { LeaseKeeper } from './lease-keeper.js';
import { SchemaCheck } from './schema-check.js';
import { WorkflowVersions } from './workflow-versions.js';
import { runAgentTask, type TaskRunnerDeps } from './task-runner.js';
import { RemoteDispatcher } from './remote-execution.js';
import type { WorkItem } from '../ports/work-store.js';
import type { CommandSettlement, RunCommand, RunControl } from '../ports/command-store.js';
import type { BreakerStore } from '../ports/breaker-store.js';
import type { DecideContext } from '../execution/decision-step.js';

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
  readonly #versions: WorkflowVersions;
  /** The runs this process drives: in memory, or parked in the store while they wait only for people. */
  readonly #held: HeldRuns;
  readonly #runs: Map<string, ActiveRun>;
  readonly #waiters = new Map<string, ((run: RunRecord) => void)[]>();
  readonly #commits: GroupCommit<ActiveRun>;
  #stopQueue: (() => Promise<void>) | undefined;
  readonly #leases: LeaseKeeper;
  /** Distributed mode: agent tasks go to workers through the outbox instead of the local queue. */
  readonly #remote: RemoteDispatcher | undefined;
  /** Circuit breakers of every agent version this process calls, shared by all its runs. */
  readonly breakers: CircuitBreakers;
  /** Measured performance of every agent version, from the executions this process sees and the store's. */
  readonly metrics = new AgentMetrics();
  /** Operator commands for the runs this process drives, sent by other processes. */
  readonly #inbox: CommandInbox | undefined;
  readonly #ctx: Omit<DecideContext, 'now'>;
  readonly #children: ChildRuns;
  readonly #orgLimits: EngineOptions['orgLimits'];
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
    this.#orgLimits = options.orgLimits;
    this.#held = new HeldRuns(options.store, this.#versions, (run) => options.orgLimits?.[orgOf(run)]);
    this.#runs = this.#held.active;
    this.#leases = new LeaseKeeper({
      ...this.#o,
      held: () => this.#held.ids(),
      adopt: async (runId) => {
        const active = await this.#held.load(runId);
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
    const facts = selectionFacts(this.metrics, (agent) => this.breakers.state(agent) === 'open');
    this.#ctx = {
      resolveAgent: (node) => resolveAgent(this.#o.catalog, node, facts),
      alternatives: (node, primary) => alternativeAgents(this.#o.catalog, node, primary),
      admits: (agent) => this.breakers.admits(agent),
      reopensAt: (agent) => this.breakers.reopensAt(agent),
    };
    this.#children = new ChildRuns({
      store,
      versions: this.#versions,
      driven: () => [...this.#runs.values()].map((r) => r.state.run),
      apply: (runId, input) => {
        const active = this.#runs.get(runId);
        if (active) this.#apply(active, input);
      },
      startRun: (workflow, input, runOptions) => this.startRun(workflow, input, runOptions),
    });
    this.#inbox = hasCommandStore(store)
      ? new CommandInbox({
          store,
          clock: options.clock,
          pollMs: options.commandPollMs ?? 50,
          onError: this.#o.onError,
          holds: (runId) => this.#held.holds(runId),
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
          const task = active.state.task(outcome.taskKey);
          if (task?.agent && outcome.type !== 'agent.checkpoint') {
            this.breakers.record(task.agent, outcome.type === 'agent.failed' ? outcome.error : undefined);
            this.#measure(task.agent, runId, outcome.taskKey, task.startedAt ?? this.#o.clock.now(), outcome);
          }
          this.#apply(active, outcome);
        },
        this.#o.onError,
      );
    this.#queue = new LocalTaskQueue({
      global: options.concurrency ?? 256,
      perAgent: (id) => this.#o.catalog.resolve({ id })?.config.maxConcurrency,
      perRun: (runId) => this.#runs.get(runId)?.workflow.policies.concurrency?.maxParallelTasks,
      perOrg: (org) => options.orgLimits?.[org]?.maxConcurrentTasks,
    });
  }

  /** Starts handing out tasks, then takes over and recovers runs that no live process drives. */
  async start(): Promise<void> {
    this.#stopQueue = this.#queue.consume((task) => this.#runTask(task.runId, task.taskKey, task.attempt));
    await this.breakers.start();
    await this.metrics.seedFrom(this.#o.store, this.#o.catalog.list());
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
    const { run, created } = newRun(workflow, data, options, {
      id: options.runId ?? this.#o.ids.next('run'),
      now,
      owner: this.#o.owner,
      leaseMs: this.#o.leaseMs,
    });
    // A duplicate id fails its own caller here rather than the group commit it would join.
    if (this.#runs.has(run.id) || (await this.#o.store.getRun(run.id)) || this.#runs.has(run.id)) {
      throw new ConflictError(`run "${run.id}" already exists`);
    }
    // The run is created by the next flush, in the transaction of its first decisions.
    const reuse = isFork(run) ? await reusedTasks(this.#o.store, workflow, run) : undefined;
    const durable = this.#commits.create({ run: { ...run }, tasks: [], events: [created] });
    const active = this.#held.activate(workflow, run, [], 1);
    if (reuse) active.reuse = reuse;
    this.#apply(active, { type: 'start' });
    const result = { ...run };
    await durable;
    return result;
  }

  /**
   * Forks a run: a new run of the same workflow version, linked to the original by labels, whose input is the
   * original's with `options.input` laid over it. Nodes upstream of `options.from` take their outputs (and
   * approvals their decisions) from the original instead of calling agents again; `from` and everything
   * downstream of it run anew.
   */
  async fork(runId: string, options: ForkOptions): Promise<RunRecord> {
    const original = await this.#o.store.getRun(runId);
    if (!original) throw new NotFoundError(`no run "${runId}"`);
    const workflow = await this.#versions.load(original.workflowId, original.workflowVersion);
    if (!workflow)
      throw new NotFoundError(`workflow ${original.workflowId}@${original.workflowVersion} is not saved`);
    const { input, labels } = forkStart(original, workflow, options);
    return this.startRun(workflow, input, {
      labels,
      priority: options.priority ?? original.priority,
      ...(options.stepThrough ? { stepThrough: true } : {}),
    });
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
    return new Promise((resolve) => this.#waiters.set(runId, [...(this.#waiters.get(runId) ?? []), resolve]));
  }

  /** Whether this engine drives the run (its events are published here), not another process. */
  drives(runId: string): boolean {
    return this.#held.has(runId);
  }

  /**
   * Feeds an operator's act or an approver's decision to a run — one this engine drives, or one another process
   * sharing the store drives (through the store's command inbox; a run nobody drives is taken over here).
   * Resolves once it is applied; a control the run cannot take is refused with the reason (`ConflictError`,
   * `NotFoundError`), and nothing changes.
   */
  async send(runId: string, input: RunControl): Promise<void> {
    const active = await this.#held.get(runId);
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
    const active = await this.#held.get(command.runId);
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
    await this.#o.store.releaseRuns(this.#o.owner, this.#held.ids());
    this.#held.clear();
  }

  /** Runs this process holds in memory now (runs waiting only for people are parked in the store). */
  get activeRuns(): number {
    return this.#runs.size;
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
    for (const { run, decision } of batch) {
      this.#perform(run, decision.commands, decision.delta.work);
      if (run.reuse) reuseDecisions((input) => this.#apply(run, input), run.reuse, decision.delta.events);
    }
    for (const { run } of batch) this.#held.parkIfIdle(run);
  }

  #perform(active: ActiveRun, commands: readonly EngineCommand[], work?: readonly WorkItem[]): void {
    const runId = active.state.run.id;
    for (const command of commands) {
      switch (command.type) {
        case 'dispatch': {
          const reused = active.reuse?.get(command.taskKey);
          if (reused) {
            reuseOutput((input) => this.#apply(active, input), command, reused);
            break;
          }
          const item = work?.find((w) => w.taskKey === command.taskKey);
          if (this.#remote && item) {
            this.breakers.started(item.agent);
            this.#remote.signal(item);
            break;
          }
          this.breakers.started(`${command.agent.id}@${command.agent.version}`);
          active.dispatches.set(command.taskKey, command);
          this.#queue.enqueueOne({
            runId,
            taskKey: command.taskKey,
            attempt: command.attempt,
            agentId: command.agent.id,
            org: this.#orgLimits && orgOf(active.state.run),
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
          this.#children.cancelChildren(runId, command.taskKey, command.reason);
          break;
        case 'startChildRun':
          void this.#children.start(active.state.run, command);
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
    const startedAt = this.#o.clock.now();
    const outcome = await runAgentTask(
      this.#taskDeps(active),
      runId,
      dispatch,
      controller,
      active.checkpoints,
    );
    active.controllers.delete(taskKey);
    const agent = `${dispatch.agent.id}@${dispatch.agent.version}`;
    this.breakers.record(agent, outcome.type === 'agent.failed' ? outcome.error : undefined);
    this.#measure(agent, runId, taskKey, startedAt, outcome);
    this.#apply(active, outcome);
  }

  /** Records a finished attempt for the agent version's measured performance. */
  #measure(agent: string, runId: string, taskKey: string, startedAt: number, outcome: AgentOutcome): void {
    const execution = executionOf(runId, taskKey, startedAt, this.#o.clock.now(), outcome);
    if (execution) this.metrics.record(agent, execution);
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

  #finish(active: ActiveRun): void {
    const run = { ...active.state.run };
    this.#evict(run.id);
    for (const resolve of this.#waiters.get(run.id) ?? []) resolve(run);
    this.#waiters.delete(run.id);
    this.#children.reportToParent(run);
  }

  #evict(runId: string): void {
    const active = this.#runs.get(runId);
    if (!active) return;
    for (const cancel of active.timers.values()) cancel();
    this.#queue.remove(runId);
    this.#runs.delete(runId);
  }
}
