import type { Budget } from '../model/common-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { NodeInfo } from './compiled-workflow.js';
import { edgeTaken } from './compiled-workflow.js';
import { SETTLED_TASK_STATUSES } from './lifecycle.js';
import { lastOutput } from './readiness.js';
import type { RunRecord, TaskRecord } from './records.js';
import { EngineRunState, ScopeInstance, TaskState, type RunState } from './run-state.js';
import { isCompensationKey } from './rollback.js';
import { expressionScope, recordEntry } from './scope-view.js';

/**
 * The state of a run for `decide`: a fresh one (`queued`, no tasks), or one rebuilt from the store after a
 * restart — the tasks as stored, and `lastSeq`, the `seq` of the run's last logged event. Rebuilding replays
 * the rows into scope instances, readiness counters and `nodes` views in O(tasks); send `recover` next to
 * re-dispatch in-flight work and re-arm timers. The records passed in are copied, never changed. `orgLimits`
 * caps the workflow's budget (the lower of each limit applies).
 */
export function createRunState(
  workflow: Workflow,
  run: RunRecord,
  tasks: readonly TaskRecord[],
  lastSeq: number,
  orgLimits?: Partial<Budget>,
): RunState {
  const state = new EngineRunState(workflow, { ...run }, lastSeq, orgLimits);
  if (run.status !== 'queued') new Rebuild(state, tasks).run();
  return state;
}

class Rebuild {
  readonly #state: EngineRunState;
  readonly #rows: Map<string, TaskRecord>;
  readonly #top: ScopeInstance;
  readonly #instances = new Map<string, ScopeInstance>();

  constructor(state: EngineRunState, rows: readonly TaskRecord[]) {
    this.#state = state;
    this.#rows = new Map();
    for (const row of rows) {
      if (isCompensationKey(row.key)) state.compensations.set(row.key, { ...row });
      else this.#rows.set(row.key, row);
    }
    this.#top = new ScopeInstance('', state.compiled.top, '', undefined, 0, undefined);
    state.top = this.#top;
  }

  run(): void {
    for (const key of this.#rows.keys()) this.#task(key);
    const tasks = [...this.#state.byKey.values()];
    // Entries are recorded in the order tasks settled, so the latest settled task of a node is the one read.
    const settled = tasks
      .filter((t) => SETTLED_TASK_STATUSES.has(t.row.status))
      .sort((a, b) => (a.row.endedAt ?? 0) - (b.row.endedAt ?? 0));
    for (const task of settled) this.#settled(task);
    for (const task of tasks) this.#restoreWaiting(task);
    this.#restoreContainers(tasks);
  }

  #task(key: string): TaskState | undefined {
    const known = this.#state.byKey.get(key);
    if (known) return known;
    const row = this.#rows.get(key);
    const info = row && this.#state.compiled.nodes.get(row.nodeId);
    if (!row || !info || !key.endsWith(info.id)) return undefined;
    const instance = this.#instanceOf(key, info);
    if (!instance) return undefined;
    const task = new TaskState({ ...row }, info, instance);
    this.#state.add(task);
    return task;
  }

  /** The instance a task key belongs to, created (with its owners) on first sight. */
  #instanceOf(key: string, info: NodeInfo): ScopeInstance | undefined {
    const scope = info.scope;
    const owner = scope.owner;
    if (!owner) return this.#top;
    const prefix = key.slice(0, key.length - info.id.length);
    let id: string;
    let ownerKey: string;
    let ordinal: number;
    if (owner.node.type === 'parallel') {
      ownerKey = prefix + owner.id;
      ordinal = scope.branch;
      id = `${ownerKey}#${ordinal}`;
    } else {
      // A loop body task: `<loop key>[<index>].<node id>`.
      const open = prefix.lastIndexOf('[');
      if (open < 0 || !prefix.endsWith('].')) return undefined;
      ownerKey = prefix.slice(0, open);
      ordinal = Number(prefix.slice(open + 1, -2));
      id = `${ownerKey}[${ordinal}]`;
    }
    const existing = this.#instances.get(id);
    if (existing) return existing;
    const ownerTask = this.#task(ownerKey);
    if (!ownerTask || ownerTask.info !== owner) return undefined;
    let loop: Record<string, unknown> | undefined;
    if (owner.node.type === 'loop') {
      const items = storedItems(ownerTask.row);
      loop = items ? { item: items[ordinal], index: ordinal } : { index: ordinal };
    }
    const instance = new ScopeInstance(
      id,
      scope,
      owner.node.type === 'loop' ? `${id}.` : prefix,
      ownerTask,
      ordinal,
      loop,
    );
    this.#instances.set(id, instance);
    return instance;
  }

  #settled(task: TaskState): void {
    recordEntry(task);
    const { row, instance } = task;
    instance.unsettled--;
    const port = row.port;
    if (port === undefined && row.status !== 'skipped') return;
    for (const edge of task.info.out) {
      const i = edge.to.index;
      instance.settledIn[i]!++;
      if (port !== undefined && edgeTaken(task.info, edge.port, port)) instance.takenIn[i]!++;
    }
  }

  #restoreWaiting(task: TaskState): void {
    const { row, info } = task;
    if (row.status !== 'waiting') return;
    const node = info.node;
    // A retry back-off always has a wake-up time; an escalated failure waits for a person and has none.
    if (row.error !== undefined) task.waitingFor = row.wakeAt === undefined ? 'escalation' : 'backoff';
    else if (node.type === 'approval') task.waitingFor = 'approval';
    else if (node.type === 'subworkflow') task.waitingFor = 'child';
    else if (node.type === 'wait' && node.event) {
      task.waitingFor = 'event';
      this.#state.addWaiter(node.event.name, task);
    } else if (node.type === 'wait') task.waitingFor = 'timer';
  }

  /** Progress of running loops and parallels from their instances; then finished instances are unlinked. */
  #restoreContainers(tasks: readonly TaskState[]): void {
    const instances = [...this.#instances.values()];
    for (const instance of instances) {
      if (hasUnhandledFailure(instance, this.#state.byKey)) instance.status = 'failed';
      else if (instance.unsettled === 0) instance.status = 'done';
      else if (instance.owner && SETTLED_TASK_STATUSES.has(instance.owner.row.status))
        instance.status = 'cancelled';
    }
    for (const task of tasks) {
      if (task.row.status !== 'running' || !task.info.container) continue;
      const mine = instances.filter((i) => i.owner === task);
      if (task.info.node.type === 'loop') {
        const items = storedItems(task.row);
        const outputs: unknown[] = [];
        for (const i of mine) if (i.status === 'done') outputs[i.ordinal] = this.#outputOf(i);
        const next = mine.reduce((n, i) => Math.max(n, i.ordinal + 1), 0);
        task.loop = { items, next, outputs };
      } else if (task.info.node.type === 'parallel') {
        const outputs: unknown[] = task.info.children.map(() => null);
        for (const i of mine) if (i.status === 'done') outputs[i.ordinal] = this.#outputOf(i);
        const count = (status: ScopeInstance['status']): number =>
          mine.filter((i) => i.status === status).length;
        task.parallel = { outputs, completed: count('done'), failed: count('failed') };
      }
    }
    for (const instance of instances) if (instance.status !== 'live') instance.close(instance.status);
  }

  /** The output a finished iteration or branch had, worked out again from its tasks. */
  #outputOf(instance: ScopeInstance): unknown {
    const owner = instance.owner;
    const expression =
      owner?.info.node.type === 'loop' ? owner.info.expressions.output : instance.scope.output;
    if (!expression) return lastOutput(instance, this.#state.byKey);
    let endedAt = 0;
    for (const node of instance.scope.nodes) {
      endedAt = Math.max(endedAt, this.#state.byKey.get(instance.prefix + node.id)?.row.endedAt ?? 0);
    }
    try {
      return expression.evaluate(expressionScope(this.#state, instance), { now: () => endedAt });
    } catch {
      // It evaluated when the instance finished; the loop would have failed otherwise.
      return null;
    }
  }
}

function storedItems(row: TaskRecord): readonly unknown[] | undefined {
  const input = row.input;
  if (typeof input !== 'object' || input === null || !('items' in input)) return undefined;
  const items = input.items;
  return Array.isArray(items) ? items : undefined;
}

function hasUnhandledFailure(instance: ScopeInstance, byKey: ReadonlyMap<string, TaskState>): boolean {
  for (const node of instance.scope.nodes) {
    const row = byKey.get(instance.prefix + node.id)?.row;
    if (row?.status === 'failed' && row.port === undefined) return true;
  }
  return false;
}
