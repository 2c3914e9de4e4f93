import type { QueuedTask, TaskQueue } from '../ports/task-queue.js';

/** Concurrency limits of a local queue. */
export interface QueueLimits {
  /** Tasks running at once in this process. */
  global: number;
  /** Tasks of one agent at once (its `config.maxConcurrency`); undefined means no limit of its own. */
  perAgent?: (agentId: string) => number | undefined;
  /** Tasks of one run at once (its `policies.concurrency.maxParallelTasks`). */
  perRun?: (runId: string) => number | undefined;
  /** Tasks of all the runs of one org at once (its `maxConcurrentTasks`). */
  perOrg?: (org: string) => number | undefined;
}

/** Higher run priority first, then higher critical-path rank, then older. */
function before(a: QueuedTask, b: QueuedTask): boolean {
  if (a.runPriority !== b.runPriority) return a.runPriority > b.runPriority;
  if (a.rank !== b.rank) return a.rank > b.rank;
  return a.enqueuedAt < b.enqueuedAt;
}

/**
 * The in-process `TaskQueue` of embedded mode: a binary heap ordered by run priority, critical-path rank and
 * age, handing tasks to the consumer within global, per-agent, per-org and per-run limits. A task blocked by its agent's
 * or run's limit waits aside, so it never holds back tasks behind it that could start.
 */
export class LocalTaskQueue implements TaskQueue {
  readonly #limits: QueueLimits;
  #heap: QueuedTask[] = [];
  #running = 0;
  readonly #runningByAgent = new Map<string, number>();
  readonly #runningByRun = new Map<string, number>();
  readonly #runningByOrg = new Map<string, number>();
  readonly #inFlight = new Set<Promise<void>>();
  #handler: ((task: QueuedTask) => Promise<void>) | undefined;
  #pumping = false;

  constructor(limits: QueueLimits) {
    if (!(limits.global >= 1)) throw new RangeError('the global limit must be at least 1');
    this.#limits = limits;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Tasks handed out and not yet settled. */
  get running(): number {
    return this.#running;
  }

  enqueue(tasks: readonly QueuedTask[]): void {
    for (const task of tasks) this.#push(task);
    this.#pump();
  }

  /** Enqueues one task (the driver's hot path: no array per task). */
  enqueueOne(task: QueuedTask): void {
    this.#push(task);
    this.#pump();
  }

  remove(runId: string, taskKeys?: readonly string[]): void {
    const keys = taskKeys ? new Set(taskKeys) : undefined;
    const kept = this.#heap.filter((t) => t.runId !== runId || (keys !== undefined && !keys.has(t.taskKey)));
    if (kept.length === this.#heap.length) return;
    this.#heap = [];
    for (const task of kept) this.#push(task);
  }

  consume(handler: (task: QueuedTask) => Promise<void>): () => Promise<void> {
    this.#handler = handler;
    this.#pump();
    return async () => {
      this.#handler = undefined;
      await Promise.allSettled([...this.#inFlight]);
    };
  }

  /** Hands out every task the limits allow, best first; tasks held by their agent or run limit are kept. */
  #pump(): void {
    if (this.#pumping || !this.#handler) return;
    this.#pumping = true;
    const held: QueuedTask[] = [];
    while (this.#running < this.#limits.global && this.#heap.length > 0 && this.#handler) {
      const task = this.#pop();
      if (!this.#fits(task)) {
        held.push(task);
        continue;
      }
      this.#start(task, this.#handler);
    }
    for (const task of held) this.#push(task);
    this.#pumping = false;
  }

  #fits(task: QueuedTask): boolean {
    if (task.agentId !== undefined) {
      const limit = this.#limits.perAgent?.(task.agentId);
      if (limit !== undefined && (this.#runningByAgent.get(task.agentId) ?? 0) >= limit) return false;
    }
    if (task.org !== undefined) {
      const limit = this.#limits.perOrg?.(task.org);
      if (limit !== undefined && (this.#runningByOrg.get(task.org) ?? 0) >= limit) return false;
    }
    const runLimit = this.#limits.perRun?.(task.runId);
    return runLimit === undefined || (this.#runningByRun.get(task.runId) ?? 0) < runLimit;
  }

  #start(task: QueuedTask, handler: (task: QueuedTask) => Promise<void>): void {
    this.#running++;
    bump(this.#runningByRun, task.runId, 1);
    if (task.agentId !== undefined) bump(this.#runningByAgent, task.agentId, 1);
    if (task.org !== undefined) bump(this.#runningByOrg, task.org, 1);
    let promise: Promise<void>;
    try {
      promise = handler(task);
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const settled = promise
      .catch(() => undefined)
      .finally(() => {
        this.#inFlight.delete(settled);
        this.#running--;
        bump(this.#runningByRun, task.runId, -1);
        if (task.agentId !== undefined) bump(this.#runningByAgent, task.agentId, -1);
        if (task.org !== undefined) bump(this.#runningByOrg, task.org, -1);
        // The next task starts in the same turn as the slot frees: no timer between hand-offs.
        this.#pump();
      });
    this.#inFlight.add(settled);
  }

  #push(task: QueuedTask): void {
    const heap = this.#heap;
    heap.push(task);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as QueuedTask, heap[parent] as QueuedTask)) break;
      [heap[i], heap[parent]] = [heap[parent] as QueuedTask, heap[i] as QueuedTask];
      i = parent;
    }
  }

  #pop(): QueuedTask {
    const heap = this.#heap;
    const top = heap[0] as QueuedTask;
    const last = heap.pop() as QueuedTask;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && before(heap[l] as QueuedTask, heap[best] as QueuedTask)) best = l;
        if (r < heap.length && before(heap[r] as QueuedTask, heap[best] as QueuedTask)) best = r;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best] as QueuedTask, heap[i] as QueuedTask];
        i = best;
      }
    }
    return top;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}
