import type { WorkSignal } from './work-signal.js';

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
 * Carries "work exists" signals from the servers to the workers of distributed mode. PostgreSQL holds the
 * tasks; this queue only says which to look at, in priority order, so every operation is at-least-once and
 * anything lost here is re-added by the engine's reconciler.
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
