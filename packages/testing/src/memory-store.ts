import {
  ConflictError,
  type AgentDefinition,
  type AgentExecution,
  type AgentStore,
  type ApprovalStore,
  type BreakerRecord,
  type BreakerStore,
  type CommandSettlement,
  type CommandStore,
  type RunControl,
  type RunCommand,
  type SettledCommand,
  FINAL_RUN_STATUSES,
  NotFoundError,
  StorageError,
  canonicalJson,
  type OpenRequest,
  type OpenRequestQuery,
  type RunDelta,
  type RunEvent,
  type RunQuery,
  type RunRecord,
  type RunStatus,
  type Store,
  type StoredWorkflow,
  type TaskRecord,
  type WorkClaim,
  type WorkItem,
  type WorkOutcome,
  type WorkResult,
  type WorkStore,
  type Workflow,
} from '@baton/core';
import { MemoryAgents } from './memory-agents.js';
import { MemoryApprovals } from './memory-approvals.js';
import { MemoryBreakers } from './memory-breakers.js';
import { MemoryCommands } from './memory-commands.js';
import { MemoryWork } from './memory-work.js';

/** A run that `commit` creates before it applies the deltas. */
type NewRun = NonNullable<Parameters<Store['commit']>[1]>[number];

const DEFAULT_LIST_LIMIT = 50;

interface SavedWorkflow {
  readonly json: string;
  readonly savedAt: number;
  /** Save order, to tell apart versions saved at the same instant. */
  readonly seq: number;
}

interface RunEvents {
  /** Sorted by `seq`. */
  readonly list: RunEvent[];
  readonly seqs: Set<number>;
}

/**
 * Copies through JSON, so the memory store keeps exactly what a persistent store would: plain data, with
 * `undefined` fields dropped. Code that leans on anything else fails here first, not in production.
 */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** JSON with object keys sorted, so that equal content compares equal whatever the key order. */
function newestFirst(a: RunRecord, b: RunRecord): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * A `Store` held in maps, for engine tests and demos. It passes the same contract suite as the SQLite store:
 * commits are all-or-nothing (every check runs before anything changes), reads and writes copy, and values
 * go through JSON like they would on disk. Tasks come back in key order; workflows and claimed ids in no
 * promised order. Nothing survives the process. After `close` every call rejects with a `StorageError`.
 * Beside the `Store` it keeps distributed mode's outbox, the operator-command inbox, the breaker table, the
 * agent registry and the open requests for people, each passing its own contract suite like the persistent
 * stores.
 */
export class MemoryStore implements Store, WorkStore, CommandStore, BreakerStore, AgentStore, ApprovalStore {
  readonly #workflows = new Map<string, Map<string, SavedWorkflow>>();
  readonly #runs = new Map<string, RunRecord>();
  readonly #tasks = new Map<string, Map<string, TaskRecord>>();
  readonly #events = new Map<string, RunEvents>();
  readonly #work = new MemoryWork((runId) => this.#runs.get(runId)?.owner);
  readonly #commands = new MemoryCommands();
  readonly #breakers = new MemoryBreakers();
  readonly #agents = new MemoryAgents(() =>
    [...this.#tasks.values()].flatMap((tasks) => [...tasks.values()]),
  );
  readonly #approvals = new MemoryApprovals(
    (runId) => this.#runs.get(runId),
    (runId, key) => this.#tasks.get(runId)?.get(key),
  );
  #saves = 0;
  #closed = false;

  saveWorkflow(workflow: Workflow, savedAt: number): Promise<void> {
    return this.#run(() => {
      let versions = this.#workflows.get(workflow.id);
      const existing = versions?.get(workflow.version);
      if (existing !== undefined) {
        if (canonicalJson(JSON.parse(existing.json)) === canonicalJson(workflow)) return;
        throw new ConflictError(
          `workflow "${workflow.id}" version ${workflow.version} is already saved with other content; save the change as a new version`,
        );
      }
      if (versions === undefined)
        this.#workflows.set(workflow.id, (versions = new Map<string, SavedWorkflow>()));
      versions.set(workflow.version, { json: JSON.stringify(workflow), savedAt, seq: ++this.#saves });
    });
  }

  getWorkflow(id: string, version?: string): Promise<StoredWorkflow | undefined> {
    return this.#run(() => {
      const versions = this.#workflows.get(id);
      const saved = version === undefined ? latest(versions) : versions?.get(version);
      return saved && { workflow: JSON.parse(saved.json) as Workflow, savedAt: saved.savedAt };
    });
  }

  listWorkflows(): Promise<StoredWorkflow[]> {
    return this.#run(() =>
      [...this.#workflows.values()].flatMap((versions) => {
        const saved = latest(versions);
        return saved ? [{ workflow: JSON.parse(saved.json) as Workflow, savedAt: saved.savedAt }] : [];
      }),
    );
  }

  createRun(run: RunRecord, tasks: readonly TaskRecord[], events: readonly RunEvent[]): Promise<void> {
    return this.#run(() => {
      if (this.#runs.has(run.id)) throw new ConflictError(`run "${run.id}" already exists`);
      const known = new Set([...this.#runs.keys(), run.id]);
      this.#check([{ runId: run.id, tasks: [...tasks], events: [...events] }], known);
      this.#runs.set(run.id, copy(run));
      this.#tasks.set(run.id, new Map());
      this.#events.set(run.id, { list: [], seqs: new Set() });
      this.#apply({ runId: run.id, tasks: [...tasks], events: [...events] });
    });
  }

  commit(deltas: readonly RunDelta[], created: readonly NewRun[] = []): Promise<void> {
    return this.#run(() => {
      if (created.length === 0) {
        this.#check(deltas, this.#runs);
      } else {
        const known = new Set(this.#runs.keys());
        for (const { run } of created) {
          if (known.has(run.id)) throw new ConflictError(`run "${run.id}" already exists`);
          known.add(run.id);
        }
        const first = created.map(({ run, tasks, events }) => ({
          runId: run.id,
          tasks: [...tasks],
          events: [...events],
        }));
        this.#check([...first, ...deltas], known);
        for (const { run } of created) {
          this.#runs.set(run.id, copy(run));
          this.#tasks.set(run.id, new Map());
          this.#events.set(run.id, { list: [], seqs: new Set() });
        }
        for (const delta of first) this.#apply(delta);
      }
      for (const delta of deltas) this.#apply(delta);
    });
  }

  loadRun(runId: string): Promise<{ run: RunRecord; tasks: TaskRecord[] } | undefined> {
    return this.#run(() => {
      const run = this.#runs.get(runId);
      if (run === undefined) return undefined;
      const tasks = [...(this.#tasks.get(runId)?.values() ?? [])].sort((a, b) =>
        a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
      );
      return { run: copy(run), tasks: copy(tasks) };
    });
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.#run(() => {
      const run = this.#runs.get(runId);
      return run && copy(run);
    });
  }

  listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    return this.#run(() => {
      const statuses = query.status === undefined ? undefined : new Set<RunStatus>([query.status].flat());
      const before = query.before;
      const runs = [...this.#runs.values()].filter(
        (run) =>
          (statuses === undefined || statuses.has(run.status)) &&
          (query.workflowId === undefined || run.workflowId === query.workflowId) &&
          (before === undefined ||
            run.createdAt < before.createdAt ||
            (run.createdAt === before.createdAt && run.id < before.id)),
      );
      return copy(runs.sort(newestFirst).slice(0, query.limit ?? DEFAULT_LIST_LIMIT));
    });
  }

  readEvents(runId: string, afterSeq = 0, limit?: number): Promise<RunEvent[]> {
    return this.#run(() => {
      const after = (this.#events.get(runId)?.list ?? []).filter((event) => event.seq > afterSeq);
      return copy(limit === undefined ? after : after.slice(0, limit));
    });
  }

  claimRuns(
    owner: string,
    now: number,
    leaseUntil: number,
    limit?: number,
    takeFrom: readonly string[] = [],
  ): Promise<string[]> {
    return this.#run(() => {
      const gone = new Set(takeFrom);
      const claimable = [...this.#runs.values()]
        .filter(
          (run) =>
            !FINAL_RUN_STATUSES.has(run.status) &&
            (run.owner === undefined ||
              run.leaseUntil === undefined ||
              run.leaseUntil < now ||
              gone.has(run.owner)),
        )
        .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
      for (const run of claimable) {
        run.owner = owner;
        run.leaseUntil = leaseUntil;
      }
      return claimable.map((run) => run.id);
    });
  }

  runOwners(): Promise<string[]> {
    return this.#run(() =>
      [
        ...new Set(
          [...this.#runs.values()]
            .filter((run) => !FINAL_RUN_STATUSES.has(run.status) && run.owner !== undefined)
            .map((run) => run.owner as string),
        ),
      ].sort(),
    );
  }

  renewLease(owner: string, runIds: readonly string[], leaseUntil: number): Promise<string[]> {
    return this.#run(() => {
      const owned: string[] = [];
      for (const id of new Set(runIds)) {
        const run = this.#runs.get(id);
        if (run?.owner !== owner) continue;
        run.leaseUntil = leaseUntil;
        owned.push(id);
      }
      return owned;
    });
  }

  releaseRuns(owner: string, runIds: readonly string[]): Promise<void> {
    return this.#run(() => {
      for (const id of runIds) {
        const run = this.#runs.get(id);
        if (run?.owner !== owner) continue;
        delete run.owner;
        delete run.leaseUntil;
      }
    });
  }

  claimWork(
    signal: { runId: string; taskKey: string; attempt: number },
    worker: string,
    now: number,
    leaseUntil: number,
  ): Promise<WorkClaim | undefined> {
    return this.#run(() => this.#work.claim(signal, worker, now, leaseUntil));
  }

  renewWork(claim: WorkClaim, leaseUntil: number): Promise<boolean> {
    return this.#run(() => this.#work.renew(claim, leaseUntil));
  }

  saveCheckpoint(claim: WorkClaim, data: unknown): Promise<boolean> {
    return this.#run(() => this.#work.saveCheckpoint(claim, data));
  }

  completeWork(claim: WorkClaim, outcome: WorkOutcome): Promise<{ owner: string | undefined } | undefined> {
    return this.#run(() => this.#work.complete(claim, outcome));
  }

  takeResults(owner: string, limit?: number): Promise<WorkResult[]> {
    return this.#run(() => this.#work.take(owner, limit));
  }

  pendingWork(now: number, queuedBefore: number, limit?: number): Promise<WorkItem[]> {
    return this.#run(() => this.#work.pending(now, queuedBefore, limit));
  }

  enqueueCommand(runId: string, input: RunControl, at: number): Promise<number> {
    return this.#run(() => this.#commands.enqueue(runId, input, at));
  }

  pendingCommands(limit?: number): Promise<RunCommand[]> {
    return this.#run(() => this.#commands.pending(limit));
  }

  runCommands(runId: string): Promise<RunCommand[]> {
    return this.#run(() => this.#commands.ofRun(runId));
  }

  settleCommand(settlement: CommandSettlement): Promise<void> {
    return this.#run(() => this.#commands.settle(settlement));
  }

  commandResult(id: number): Promise<SettledCommand | undefined> {
    return this.#run(() => this.#commands.result(id));
  }

  loadBreakers(): Promise<BreakerRecord[]> {
    return this.#run(() => this.#breakers.load());
  }

  saveBreakers(records: readonly BreakerRecord[]): Promise<void> {
    return this.#run(() => this.#breakers.save(records));
  }

  saveAgent(definition: AgentDefinition): Promise<void> {
    return this.#run(() => this.#agents.save(definition));
  }

  listAgents(): Promise<AgentDefinition[]> {
    return this.#run(() => this.#agents.list());
  }

  agentExecutions(agent: string, limit?: number): Promise<AgentExecution[]> {
    return this.#run(() => this.#agents.executions(agent, limit));
  }

  agentUsage(): Promise<{ agent: string; tasks: number; runs: number; lastUsedAt: number }[]> {
    return this.#run(() => this.#agents.usage());
  }

  openRequests(query?: OpenRequestQuery): Promise<OpenRequest[]> {
    return this.#run(() => this.#approvals.list(query));
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /** Runs `work` as one call of the port: a throw becomes the rejection, a closed store rejects. */
  #run<T>(work: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new StorageError('the memory store is closed'));
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new StorageError(String(error)));
    }
  }

  /** Throws what the deltas would violate, before any of them is applied. */
  #check(deltas: readonly RunDelta[], runs: { has(id: string): boolean }): void {
    const missing = (runId: string): never => {
      throw new NotFoundError(`run "${runId}" does not exist; create it before committing to it`);
    };
    const added = new Map<string, Set<number>>();
    for (const delta of deltas) {
      if (delta.run !== undefined && !runs.has(delta.runId)) missing(delta.runId);
      for (const task of delta.tasks) if (!runs.has(task.runId)) missing(task.runId);
      for (const event of delta.events) {
        if (!runs.has(event.runId)) missing(event.runId);
        let seqs = added.get(event.runId);
        if (seqs === undefined) added.set(event.runId, (seqs = new Set()));
        if (seqs.has(event.seq) || this.#events.get(event.runId)?.seqs.has(event.seq)) {
          throw new ConflictError(`run "${event.runId}" already has an event with seq ${event.seq}`);
        }
        seqs.add(event.seq);
      }
    }
  }

  #apply(delta: RunDelta): void {
    const run = this.#runs.get(delta.runId);
    // Spreading keeps `undefined` values and the JSON copy then drops them, so they clear the field.
    if (delta.run !== undefined && run !== undefined) {
      this.#runs.set(delta.runId, copy({ ...run, ...delta.run, id: run.id }));
    }
    for (const task of delta.tasks) this.#tasks.get(task.runId)?.set(task.key, copy(task));
    this.#work.apply(delta);
    this.#commands.apply(delta);
    for (const event of delta.events) {
      const log = this.#events.get(event.runId);
      if (log === undefined) continue;
      const stored = copy(event);
      const last = log.list[log.list.length - 1];
      if (last === undefined || last.seq < stored.seq) log.list.push(stored);
      else
        log.list.splice(
          log.list.findIndex((e) => e.seq > stored.seq),
          0,
          stored,
        );
      log.seqs.add(stored.seq);
    }
    this.#approvals.apply(delta);
  }
}

/** The version saved last: latest `savedAt`, then latest save. */
function latest(versions: ReadonlyMap<string, SavedWorkflow> | undefined): SavedWorkflow | undefined {
  let best: SavedWorkflow | undefined;
  for (const saved of versions?.values() ?? []) {
    if (!best || saved.savedAt > best.savedAt || (saved.savedAt === best.savedAt && saved.seq > best.seq)) {
      best = saved;
    }
  }
  return best;
}
