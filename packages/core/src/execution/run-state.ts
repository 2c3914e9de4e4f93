import type { AgentDefinition } from '../model/agent-schema.js';
import type { Budget } from '../model/common-schema.js';
import { effectiveBudget } from './effective-budget.js';
import type { Workflow } from '../model/workflow-schema.js';
import {
  compileWorkflow,
  type CompiledWorkflow,
  type NodeInfo,
  type ScopeInfo,
} from './compiled-workflow.js';
import { assertTaskTransition, SETTLED_TASK_STATUSES, type TaskStatus } from './lifecycle.js';
import type { ErrorInfo, RunRecord, TaskRecord } from './records.js';

/**
 * The state `decide` works on: one run of one workflow version, held by the process that drives it.
 * Build it with `createRunState`; `decide` owns it from then on and changes it in place, so read it only
 * between decisions and never hand one state to two callers.
 */
export interface RunState {
  /** The run row as of the last decision. */
  readonly run: RunRecord;
  readonly workflow: Workflow;
  /** The `seq` of the last event of the run's log. */
  readonly lastSeq: number;
  /** A task row by key, as of the last decision. */
  task(key: string): TaskRecord | undefined;
  /** Every task row, in the order the tasks were created. */
  tasks(): TaskRecord[];
}

/** What `nodes.<id>` reads in an expression. */
export interface NodeEntry {
  output: unknown;
  status: TaskStatus;
  error?: ErrorInfo;
}

/** What a `waiting` task waits for. */
export type WaitReason = 'backoff' | 'timer' | 'event' | 'approval' | 'child' | 'escalation';

/** Progress of a running loop task. */
export interface LoopProgress {
  /** The for-each list, evaluated once when the loop started; undefined for a while loop. */
  readonly items: readonly unknown[] | undefined;
  /** Index of the next iteration to start. */
  next: number;
  /** Iteration outputs by index. */
  readonly outputs: unknown[];
}

/** Progress of a running parallel task. */
export interface ParallelProgress {
  readonly outputs: unknown[];
  completed: number;
  failed: number;
}

/** One task: its row, the node it runs, and where it runs. */
export class TaskState {
  row: TaskRecord;
  readonly info: NodeInfo;
  readonly instance: ScopeInstance;
  /** The agent of the latest dispatch (agent nodes). */
  agent: AgentDefinition | undefined;
  waitingFor: WaitReason | undefined;
  loop: LoopProgress | undefined;
  parallel: ParallelProgress | undefined;
  /** Live scope instances of a container task: loop iterations or parallel branches. */
  readonly children = new Set<ScopeInstance>();

  constructor(row: TaskRecord, info: NodeInfo, instance: ScopeInstance) {
    this.row = row;
    this.info = info;
    this.instance = instance;
  }
}

/**
 * One scope instance (docs/adr/0003): the top level, a parallel branch or a loop iteration. Readiness counters
 * are per node of the scope, indexed by `NodeInfo.index`.
 */
export class ScopeInstance {
  readonly id: string;
  readonly scope: ScopeInfo;
  /** What the keys of this instance's tasks start with: `""`, `loop[2].`. */
  readonly prefix: string;
  readonly parent: ScopeInstance | undefined;
  readonly owner: TaskState | undefined;
  /** Iteration or branch index; 0 at the top. */
  readonly ordinal: number;
  /** `nodes` as expressions in this instance read it: a null-prototype object updated as tasks settle. */
  readonly view: Record<string, NodeEntry>;
  /** `loop` as expressions read it: the innermost loop's `{ item, index }`. */
  readonly loop: Readonly<Record<string, unknown>> | undefined;
  readonly settledIn: Uint32Array;
  readonly takenIn: Uint32Array;
  /** Nodes of the scope that have not settled in this instance. */
  unsettled: number;
  status: 'live' | 'done' | 'failed' | 'cancelled' = 'live';
  /** Tasks of this instance that exist and have not settled. */
  readonly active = new Set<TaskState>();
  /** Live instances of the containers of this instance. */
  readonly children = new Set<ScopeInstance>();

  constructor(
    id: string,
    scope: ScopeInfo,
    prefix: string,
    owner: TaskState | undefined,
    ordinal: number,
    loop: Readonly<Record<string, unknown>> | undefined,
  ) {
    this.id = id;
    this.scope = scope;
    this.prefix = prefix;
    this.owner = owner;
    this.parent = owner?.instance;
    this.ordinal = ordinal;
    this.loop = loop ?? this.parent?.loop;
    this.view = inheritedView(this.parent, owner);
    this.settledIn = new Uint32Array(scope.nodes.length);
    this.takenIn = new Uint32Array(scope.nodes.length);
    this.unsettled = scope.nodes.length;
    if (owner) {
      owner.children.add(this);
      this.parent?.children.add(this);
    }
  }

  /** Unlinks a finished instance from its container and parent. */
  close(status: 'done' | 'failed' | 'cancelled'): void {
    if (this.status === 'live') this.status = status;
    this.owner?.children.delete(this);
    this.parent?.children.delete(this);
  }
}

/**
 * A new instance sees what its enclosing instance sees, except a loop iteration, which does not inherit the
 * body's entries of earlier iterations: inside an iteration `nodes.<body node>` is that iteration's own.
 */
function inheritedView(
  parent: ScopeInstance | undefined,
  owner: TaskState | undefined,
): Record<string, NodeEntry> {
  const view = Object.create(null) as Record<string, NodeEntry>;
  if (!parent) return view;
  const inner = owner?.info.node.type === 'loop' ? owner.info.inner : undefined;
  for (const id of Object.keys(parent.view)) {
    if (inner?.has(id)) continue;
    view[id] = parent.view[id] as NodeEntry;
  }
  return view;
}

/** The engine's implementation of `RunState`. */
export class EngineRunState implements RunState {
  readonly run: RunRecord;
  readonly workflow: Workflow;
  readonly compiled: CompiledWorkflow;
  seq: number;
  top: ScopeInstance | undefined;
  readonly byKey = new Map<string, TaskState>();
  /** Tasks in status `ready`. */
  readonly ready = new Set<TaskState>();
  /** Tasks in status `waiting`. */
  readonly waiting = new Set<TaskState>();
  /** Tasks in status `running` that are not containers: work in flight. */
  runningLeaves = 0;
  /** Wait nodes waiting for an event, by event name. */
  readonly eventWaiters = new Map<string, Set<TaskState>>();
  /** Compensation rows of a rollback (`<task key>~undo`), by key; outside the workflow's scopes. */
  readonly compensations = new Map<string, TaskRecord>();
  #runRoot: Readonly<Record<string, unknown>> | undefined;

  /** The limits the run keeps: its workflow's budget capped by its org's limits. */
  readonly budget: Budget | undefined;

  constructor(workflow: Workflow, run: RunRecord, lastSeq: number, orgLimits?: Partial<Budget>) {
    this.workflow = workflow;
    this.budget = effectiveBudget(workflow.policies.budget, orgLimits);
    this.compiled = compileWorkflow(workflow);
    this.run = run;
    this.seq = lastSeq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  task(key: string): TaskRecord | undefined {
    const task = this.byKey.get(key);
    const row = task?.row ?? this.compensations.get(key);
    return row && { ...row };
  }

  tasks(): TaskRecord[] {
    const rows = [...this.byKey.values()].map((t) => ({ ...t.row }));
    for (const row of this.compensations.values()) rows.push({ ...row });
    return rows;
  }

  /** What expressions read as `run`. */
  runRoot(): Readonly<Record<string, unknown>> {
    if (this.#runRoot === undefined) {
      const { id, workflowId, workflowVersion, priority, startedAt, labels } = this.run;
      this.#runRoot = {
        id,
        workflowId,
        workflowVersion,
        priority,
        startedAt: startedAt ?? null,
        labels: labels ?? {},
      };
    }
    return this.#runRoot;
  }

  /** Forgets the cached `run` root after a run field it shows changed. */
  runChanged(): void {
    this.#runRoot = undefined;
  }

  /** Registers a task that was just created or restored, in whatever status its row has. */
  add(task: TaskState): void {
    if (this.byKey.has(task.row.key)) throw new Error(`task "${task.row.key}" exists already`);
    this.byKey.set(task.row.key, task);
    this.#count(task, task.row.status, 1);
    if (!SETTLED_TASK_STATUSES.has(task.row.status)) task.instance.active.add(task);
  }

  /** Moves a task to `to`, checking the move against the task state machine and keeping the counts. */
  setStatus(task: TaskState, to: TaskStatus): void {
    const from = task.row.status;
    assertTaskTransition(task.row.key, from, to);
    this.#count(task, from, -1);
    this.#count(task, to, 1);
    task.row.status = to;
    if (SETTLED_TASK_STATUSES.has(to)) task.instance.active.delete(task);
  }

  #count(task: TaskState, status: TaskStatus, delta: 1 | -1): void {
    switch (status) {
      case 'ready':
        if (delta > 0) this.ready.add(task);
        else this.ready.delete(task);
        break;
      case 'waiting':
        if (delta > 0) this.waiting.add(task);
        else this.waiting.delete(task);
        break;
      case 'running':
        if (!task.info.container) this.runningLeaves += delta;
        break;
      case 'pending':
      case 'succeeded':
      case 'failed':
      case 'skipped':
      case 'cancelled':
        break;
    }
  }

  /** Adds a wait task to the waiters of an event name. */
  addWaiter(name: string, task: TaskState): void {
    let waiters = this.eventWaiters.get(name);
    if (!waiters) {
      waiters = new Set();
      this.eventWaiters.set(name, waiters);
    }
    waiters.add(task);
  }

  removeWaiter(name: string, task: TaskState): void {
    const waiters = this.eventWaiters.get(name);
    if (!waiters) return;
    waiters.delete(task);
    if (waiters.size === 0) this.eventWaiters.delete(name);
  }
}

/** The engine's state behind a `RunState`; throws for objects not made by `createRunState`. */
export function engineState(state: RunState): EngineRunState {
  if (!(state instanceof EngineRunState)) throw new TypeError('pass a RunState made by createRunState');
  return state;
}
