/** A "work exists" signal: which attempt of which task to look at, and what orders it. */
export interface WorkSignal {
  runId: string;
  taskKey: string;
  /** The attempt this signal is for (from 1); a retry is a new attempt and so a new signal. */
  attempt: number;
  /**
   * The agent pool that runs it (`default`, `domain:legal`), so that workers serve only the pools they are
   * deployed for and each pool's depth can be scaled on.
   */
  pool: string;
  /** The run's priority, 0–100: higher first. */
  runPriority: number;
  /** Critical-path rank (longest remaining path in ms): higher first within a run priority. */
  rank: number;
  /**
   * How many claims the work has seen (0 for a first signal). A re-signal after a lost claim carries a new
   * generation, so a queue entry still held by a dead consumer cannot make the new signal a no-op.
   */
  generation?: number;
}

/**
 * Runs one signal's work. `abort` fires when the consumer is stopped with `cancelRunning`; a handler should
 * then settle soon (a rejection redelivers the signal, as for any failure).
 */
export type WorkHandler = (work: WorkSignal, abort: AbortSignal) => Promise<void>;

/**
 * Stops a consumer: it takes no new signals and resolves once its running handlers have settled. With
 * `cancelRunning`, their abort signals fire first, for a shutdown that cannot wait for long agent calls.
 */
export type StopConsuming = (options?: { cancelRunning?: boolean }) => Promise<void>;

/** How one `consume` call takes signals. */
export interface ConsumeOptions {
  /** Handlers running at once, per pool. */
  concurrency: number;
}

/** A handler failure, as reported to `onError`. */
export interface WorkFailure {
  work: WorkSignal;
  /** Which delivery of the signal failed, from 1. */
  delivery: number;
  /** True when the signal will not be delivered again; only the reconciler brings it back. */
  final: boolean;
}

/**
 * Carries "work exists" signals from the processes that drive runs to the workers of distributed mode
 * (ADR 0004). The store holds the work; this queue only says which to look at, in priority order, so every
 * operation is at-least-once and anything lost here is re-added by the engine's reconciler.
 *
 * Contract:
 * - `add` is idempotent per run, task and attempt while that signal is waiting or running; once handled it
 *   is forgotten, and adding it again delivers it again (the handler's claim in the store decides).
 * - Within a pool, signals are handed out by run priority, then rank, then insertion order.
 * - `remove` drops signals not yet handed out; running handlers are not interrupted.
 * - A failed handler's signal is retried a few times, then dropped for the reconciler, and every failure is
 *   reported — never swallowed.
 */
export interface WorkQueue {
  add(signals: readonly WorkSignal[]): Promise<void>;
  /** Starts handing signals of `pools` to `handler`. Returns the function that stops it. */
  consume(pools: readonly string[], options: ConsumeOptions, handler: WorkHandler): StopConsuming;
  /** Drops a run's signals that are not yet handed out: those of `taskKeys`, or all. Resolves to how many. */
  remove(runId: string, taskKeys?: readonly string[]): Promise<number>;
  /** Signals waiting (including those delayed for a retry) in `pools`, or in every pool ever added to. */
  depth(pools?: readonly string[]): Promise<number>;
  /** Stops every consumer (gracefully) and closes the connections. */
  close(): Promise<void>;
}

/**
 * Wakes the process that drives a run when a worker has left an outcome for it, so that results are taken at
 * once rather than at the next poll. Best-effort: a lost nudge only delays until the poll.
 */
export interface Nudges {
  nudge(owner: string): void;
  /** Calls `wake` whenever `owner` is nudged. Returns the function that stops listening. */
  listen(owner: string, wake: () => void): () => void;
}
