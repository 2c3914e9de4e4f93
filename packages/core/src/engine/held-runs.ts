import type { RunRecord, TaskRecord } from '../execution/records.js';
import { createRunState, type RunState } from '../execution/index.js';
import type { Budget } from '../model/common-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { Store } from '../ports/store.js';
import { isFork, reusedTasks } from './fork.js';
import { waitsOnlyForPeople } from './run-inspection.js';
import type { Dispatch, TaskRunnerDeps } from './task-runner.js';
import type { WorkflowVersions } from './workflow-versions.js';

/** A run the engine drives, held in memory while it is active. */
export interface ActiveRun {
  state: RunState;
  workflow: Workflow;
  dispatches: Map<string, Dispatch>;
  controllers: Map<string, AbortController>;
  timers: Map<string, () => void>;
  checkpoints: Map<string, unknown>;
  deps?: TaskRunnerDeps;
  /** A fork: the original run's task rows whose outputs it reuses instead of calling agents again. */
  reuse?: Map<string, TaskRecord>;
}

/**
 * The runs this process drives: active ones in memory, and those that wait only for people parked as a row in
 * the store (DESIGN §4), loaded again when someone acts on them.
 */
export class HeldRuns {
  readonly active = new Map<string, ActiveRun>();
  readonly parked = new Set<string>();
  readonly #unparking = new Map<string, Promise<ActiveRun | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly versions: WorkflowVersions,
    /** The caps of a run's org on its budget. */
    private readonly orgCaps: (run: RunRecord) => Partial<Budget> | undefined = () => undefined,
  ) {}

  /** Whether this process drives the run, in memory or parked. */
  holds(runId: string): boolean {
    return this.active.has(runId) || this.parked.has(runId);
  }

  /** Every run this process drives. */
  ids(): string[] {
    return [...this.active.keys(), ...this.parked];
  }

  /** Whether this process drives the run, in memory or parked. */
  has(runId: string): boolean {
    return this.active.has(runId) || this.parked.has(runId);
  }

  /** The run in memory, loading it first when it is parked. */
  async get(runId: string): Promise<ActiveRun | undefined> {
    return this.active.get(runId) ?? (await this.#unpark(runId));
  }

  /** Holds a run in memory from the given rows. */
  activate(workflow: Workflow, run: RunRecord, tasks: readonly TaskRecord[], lastSeq: number): ActiveRun {
    const active: ActiveRun = {
      state: createRunState(workflow, run, tasks, lastSeq, this.orgCaps(run)),
      workflow,
      dispatches: new Map(),
      controllers: new Map(),
      timers: new Map(),
      checkpoints: new Map(),
    };
    this.active.set(run.id, active);
    return active;
  }

  /** Moves a run out of memory when nothing but a person's decision can move it on. */
  parkIfIdle(run: ActiveRun): void {
    const idle = run.timers.size + run.dispatches.size + run.controllers.size === 0;
    const id = run.state.run.id;
    if (!idle || this.active.get(id) !== run || !waitsOnlyForPeople(run.state)) return;
    this.active.delete(id);
    this.parked.add(id);
  }

  /** Loads a run from the store into memory, as it was last committed. */
  async load(runId: string): Promise<ActiveRun | undefined> {
    const loaded = await this.store.loadRun(runId);
    const workflow = loaded && (await this.versions.load(loaded.run.workflowId, loaded.run.workflowVersion));
    if (!loaded || !workflow) return undefined;
    const lastSeq = (await this.store.readEvents(runId)).at(-1)?.seq ?? 0;
    const reuse = isFork(loaded.run) ? await reusedTasks(this.store, workflow, loaded.run) : undefined;
    const active = this.activate(workflow, loaded.run, loaded.tasks, lastSeq);
    if (reuse) active.reuse = reuse;
    return active;
  }

  clear(): void {
    this.active.clear();
    this.parked.clear();
  }

  /** Loads a parked run back into memory; concurrent calls share one load. */
  #unpark(runId: string): Promise<ActiveRun | undefined> {
    if (!this.parked.has(runId)) return Promise.resolve(undefined);
    let loading = this.#unparking.get(runId);
    if (!loading) {
      loading = this.load(runId).finally(() => {
        this.parked.delete(runId);
        this.#unparking.delete(runId);
      });
      this.#unparking.set(runId, loading);
    }
    return loading;
  }
}
