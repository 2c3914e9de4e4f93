import type { Decision } from '../execution/index.js';
import type { RunEvent } from '../execution/run-event.js';
import type { NewRun, Store } from '../ports/store.js';

/** A decision waiting for its commit, with the run it belongs to. */
export interface PendingDecision<R> {
  run: R;
  runId: string;
  decision: Decision;
}

/** A run to create in the next commit, and the `startRun` call waiting for it. */
export interface PendingCreation {
  entry: NewRun;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What the group commit does around the store. */
export interface GroupCommitHooks<R> {
  store: Store;
  /** Publishes the events of committed decisions, then performs their commands. */
  release(batch: readonly PendingDecision<R>[]): void;
  publish(events: RunEvent[]): void;
  /** Drops a run from memory after its commit failed; it is recovered from the store on restart. */
  evict(runId: string): void;
  onError(error: unknown): void;
}

/**
 * DESIGN §4's group commit: decisions made (and runs created) until the event loop turns are committed in one
 * transaction, and only then released — events published, commands performed. Commits run one after another.
 */
export class GroupCommit<R> {
  #pending: PendingDecision<R>[] = [];
  #creating: PendingCreation[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #scheduled = false;

  constructor(private readonly hooks: GroupCommitHooks<R>) {}

  /** Settles once everything queued so far is committed (or failed), the commit still to start included. */
  get settled(): Promise<void> {
    if (!this.#scheduled) return this.#flushing;
    // The commit starts on an immediate queued before this one, so by then `#flushing` includes it.
    return new Promise((resolve) => setImmediate(() => void this.#flushing.then(resolve, resolve)));
  }

  /** Queues a decision for the next commit. */
  add(pending: PendingDecision<R>): void {
    this.#pending.push(pending);
    this.#schedule();
  }

  /** Queues a new run for the next commit; resolves once it is durable, rejects if it cannot be created. */
  create(entry: NewRun): Promise<void> {
    const durable = new Promise<void>((resolve, reject) => this.#creating.push({ entry, resolve, reject }));
    this.#schedule();
    return durable;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#start);
  }

  readonly #start = (): void => {
    this.#flushing = this.#flushing.then(this.#flush);
  };

  readonly #flush = async (): Promise<void> => {
    this.#scheduled = false;
    const batch = this.#pending;
    const creating = this.#creating;
    this.#pending = [];
    this.#creating = [];
    if (batch.length === 0 && creating.length === 0) return;
    const deltas = batch.map((b) => b.decision.delta);
    try {
      await this.hooks.store.commit(deltas, creating.length === 0 ? undefined : creating.map((c) => c.entry));
    } catch (error) {
      if (creating.length > 0) return this.#commitApart(batch, creating);
      // Nothing of the batch is committed; the runs stop here and are recovered from the store on restart.
      for (const { runId } of batch) this.hooks.evict(runId);
      this.hooks.onError(error);
      return;
    }
    this.#committed(batch, creating);
  };

  /**
   * Publishes and performs what a commit carried, and lets the `startRun` calls of created runs return. What
   * new runs do waits one turn more, so their callers can subscribe before it happens.
   */
  #committed(batch: readonly PendingDecision<R>[], creating: readonly PendingCreation[]): void {
    if (creating.length === 0) return this.hooks.release(batch);
    const events: RunEvent[] = [];
    for (const { entry } of creating) for (const event of entry.events) events.push(event);
    this.hooks.publish(events);
    const ids = new Set(creating.map((c) => c.entry.run.id));
    const now: PendingDecision<R>[] = [];
    const later: PendingDecision<R>[] = [];
    for (const pending of batch) (ids.has(pending.runId) ? later : now).push(pending);
    this.hooks.release(now);
    if (later.length > 0) setImmediate(() => this.hooks.release(later));
    for (const { resolve } of creating) resolve();
  }

  /**
   * A commit that creates runs failed: each new run is committed on its own with its decisions, then the other
   * runs' deltas together, so a run that cannot be created (its id was taken meanwhile) fails only its caller.
   */
  async #commitApart(
    batch: readonly PendingDecision<R>[],
    creating: readonly PendingCreation[],
  ): Promise<void> {
    const ids = new Set(creating.map((c) => c.entry.run.id));
    for (const creation of creating) {
      const id = creation.entry.run.id;
      const own = batch.filter((b) => b.runId === id);
      try {
        await this.hooks.store.commit(
          own.map((b) => b.decision.delta),
          [creation.entry],
        );
      } catch (error) {
        this.hooks.evict(id);
        creation.reject(error);
        continue;
      }
      this.#committed(own, [creation]);
    }
    const rest = batch.filter((b) => !ids.has(b.runId));
    if (rest.length === 0) return;
    try {
      await this.hooks.store.commit(rest.map((b) => b.decision.delta));
    } catch (error) {
      for (const { runId } of rest) this.hooks.evict(runId);
      this.hooks.onError(error);
      return;
    }
    this.#committed(rest, []);
  }
}
