import type { ConsumeOptions, Nudges, StopConsuming, WorkHandler, WorkQueue, WorkSignal } from '@baton/core';

const keyOf = (s: WorkSignal): string => `${s.runId}\u0000${s.taskKey}\u0000${s.attempt}`;

interface Consumer {
  pools: ReadonlySet<string>;
  concurrency: number;
  handler: WorkHandler;
  running: Map<string, number>;
  settled: Set<Promise<void>>;
  aborts: Set<AbortController>;
  stopped: boolean;
}

/**
 * The `WorkQueue` port in one process, for tests of distributed execution without Redis: the same contract
 * as the BullMQ queue (idempotent add while waiting or running, priority order within a pool, a failed
 * handler's signal retried a few times and then left to the reconciler). `lose()` drops every waiting signal,
 * as a flushed Redis would.
 */
export class MemoryWorkQueue implements WorkQueue {
  readonly #waiting: WorkSignal[] = [];
  readonly #known = new Set<string>();
  readonly #deliveries = new Map<string, number>();
  readonly #consumers = new Set<Consumer>();

  constructor(private readonly options: { attempts?: number; onError?: (error: unknown) => void } = {}) {}

  add(signals: readonly WorkSignal[]): Promise<void> {
    for (const signal of signals) {
      const key = keyOf(signal);
      if (this.#known.has(key)) continue;
      this.#known.add(key);
      this.#waiting.push({ ...signal });
    }
    this.#waiting.sort((a, b) => b.runPriority - a.runPriority || b.rank - a.rank);
    this.#pump();
    return Promise.resolve();
  }

  consume(pools: readonly string[], options: ConsumeOptions, handler: WorkHandler): StopConsuming {
    const consumer: Consumer = {
      pools: new Set(pools),
      concurrency: options.concurrency,
      handler,
      running: new Map(),
      settled: new Set(),
      aborts: new Set(),
      stopped: false,
    };
    this.#consumers.add(consumer);
    this.#pump();
    return async (stop = {}) => {
      consumer.stopped = true;
      if (stop.cancelRunning === true) for (const abort of consumer.aborts) abort.abort();
      await Promise.all(consumer.settled);
      this.#consumers.delete(consumer);
    };
  }

  remove(runId: string, taskKeys?: readonly string[]): Promise<number> {
    let removed = 0;
    for (let i = this.#waiting.length - 1; i >= 0; i--) {
      const signal = this.#waiting[i];
      if (signal?.runId === runId && (taskKeys === undefined || taskKeys.includes(signal.taskKey))) {
        this.#waiting.splice(i, 1);
        this.#known.delete(keyOf(signal));
        removed++;
      }
    }
    return Promise.resolve(removed);
  }

  depth(pools?: readonly string[]): Promise<number> {
    return Promise.resolve(this.#waiting.filter((s) => pools === undefined || pools.includes(s.pool)).length);
  }

  /** Forgets every waiting signal, as a flushed Redis would; running handlers go on. */
  lose(): void {
    for (const signal of this.#waiting.splice(0)) this.#known.delete(keyOf(signal));
  }

  async close(): Promise<void> {
    for (const consumer of this.#consumers) consumer.stopped = true;
    await Promise.all([...this.#consumers].flatMap((c) => [...c.settled]));
    this.#consumers.clear();
  }

  #pump(): void {
    for (let i = 0; i < this.#waiting.length;) {
      const signal = this.#waiting[i]!;
      const consumer = [...this.#consumers].find(
        (c) => !c.stopped && c.pools.has(signal.pool) && (c.running.get(signal.pool) ?? 0) < c.concurrency,
      );
      if (!consumer) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      this.#start(consumer, signal);
    }
  }

  #start(consumer: Consumer, signal: WorkSignal): void {
    const key = keyOf(signal);
    const abort = new AbortController();
    consumer.running.set(signal.pool, (consumer.running.get(signal.pool) ?? 0) + 1);
    consumer.aborts.add(abort);
    const delivery = (this.#deliveries.get(key) ?? 0) + 1;
    this.#deliveries.set(key, delivery);
    const done = Promise.resolve()
      .then(() => consumer.handler(signal, abort.signal))
      .then(
        () => this.#forget(key),
        (error: unknown) => {
          this.options.onError?.(error);
          if (delivery >= (this.options.attempts ?? 3)) this.#forget(key);
          else this.#waiting.push(signal);
        },
      )
      .finally(() => {
        consumer.running.set(signal.pool, (consumer.running.get(signal.pool) ?? 1) - 1);
        consumer.aborts.delete(abort);
        consumer.settled.delete(done);
        this.#pump();
      });
    consumer.settled.add(done);
  }

  #forget(key: string): void {
    this.#known.delete(key);
    this.#deliveries.delete(key);
  }
}

/** The `Nudges` port in one process. */
export class MemoryNudges implements Nudges {
  readonly #listeners = new Map<string, Set<() => void>>();

  nudge(owner: string): void {
    for (const wake of this.#listeners.get(owner) ?? []) queueMicrotask(wake);
  }

  listen(owner: string, wake: () => void): () => void {
    let set = this.#listeners.get(owner);
    if (!set) this.#listeners.set(owner, (set = new Set()));
    set.add(wake);
    return () => set.delete(wake);
  }
}
