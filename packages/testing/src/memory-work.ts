import type { RunDelta, WorkClaim, WorkItem, WorkOutcome, WorkResult } from '@baton/core';

interface Entry {
  item: WorkItem;
  state: 'queued' | 'claimed' | 'done';
  worker?: string;
  leaseUntil: number;
  leaseVersion: number;
  outcome?: WorkOutcome;
}

const keyOf = (w: { runId: string; taskKey: string; attempt: number }): string =>
  `${w.runId}\u0000${w.taskKey}\u0000${w.attempt}`;
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The outbox of distributed mode in memory (the `WorkStore` half of `MemoryStore`): the same rules as the
 * PostgreSQL table, checked by the same contract suite.
 */
export class MemoryWork {
  readonly #entries = new Map<string, Entry>();
  /** The last lease version of each run, task and attempt, kept when its work is dropped and written again. */
  readonly #versions = new Map<string, number>();

  constructor(private readonly ownerOf: (runId: string) => string | undefined) {}

  /** What `commit` does with a delta's work and task rows, after the delta's own checks passed. */
  apply(delta: RunDelta): void {
    for (const task of delta.tasks) {
      if (task.status === 'running') continue;
      for (const [key, entry] of this.#entries) {
        if (entry.item.runId === task.runId && entry.item.taskKey === task.key) this.#entries.delete(key);
      }
    }
    for (const item of delta.work ?? []) {
      const key = keyOf(item);
      if (!this.#entries.has(key)) {
        const leaseVersion = this.#versions.get(key) ?? 0;
        this.#entries.set(key, { item: copy(item), state: 'queued', leaseUntil: 0, leaseVersion });
      }
    }
  }

  claim(
    signal: { runId: string; taskKey: string; attempt: number },
    worker: string,
    now: number,
    leaseUntil: number,
  ): WorkClaim | undefined {
    const entry = this.#entries.get(keyOf(signal));
    if (!entry || entry.state === 'done' || (entry.state === 'claimed' && entry.leaseUntil >= now))
      return undefined;
    Object.assign(entry, { state: 'claimed', worker, leaseUntil, leaseVersion: entry.leaseVersion + 1 });
    this.#versions.set(keyOf(signal), entry.leaseVersion);
    return { item: copy(entry.item), worker, leaseVersion: entry.leaseVersion };
  }

  renew(claim: WorkClaim, leaseUntil: number): boolean {
    const entry = this.#current(claim);
    if (entry) entry.leaseUntil = leaseUntil;
    return entry !== undefined;
  }

  saveCheckpoint(claim: WorkClaim, data: unknown): boolean {
    const entry = this.#current(claim);
    if (!entry) return false;
    if (data === undefined) delete entry.item.checkpoint;
    else entry.item.checkpoint = copy(data);
    return true;
  }

  complete(claim: WorkClaim, outcome: WorkOutcome): { owner: string | undefined } | undefined {
    const entry = this.#current(claim);
    if (!entry) return undefined;
    Object.assign(entry, { state: 'done', outcome: copy(outcome) });
    return { owner: this.ownerOf(entry.item.runId) };
  }

  take(owner: string, limit = Infinity): WorkResult[] {
    const taken: WorkResult[] = [];
    for (const [key, entry] of this.#entries) {
      if (taken.length >= limit) break;
      if (entry.state !== 'done' || !entry.outcome || this.ownerOf(entry.item.runId) !== owner) continue;
      const { runId, checkpoint } = entry.item;
      taken.push({ runId, outcome: entry.outcome, ...(checkpoint === undefined ? {} : { checkpoint }) });
      this.#entries.delete(key);
    }
    return taken;
  }

  pending(now: number, queuedBefore: number, limit = Infinity): WorkItem[] {
    const found: WorkItem[] = [];
    for (const entry of this.#entries.values()) {
      if (found.length >= limit) break;
      if (entry.state === 'claimed' && entry.leaseUntil < now) {
        Object.assign(entry, { state: 'queued', worker: undefined });
        found.push({ ...copy(entry.item), leaseVersion: entry.leaseVersion });
      } else if (entry.state === 'queued' && entry.item.queuedAt < queuedBefore) {
        found.push({
          ...copy(entry.item),
          ...(entry.leaseVersion > 0 ? { leaseVersion: entry.leaseVersion } : {}),
        });
      }
    }
    return found;
  }

  #current(claim: WorkClaim): Entry | undefined {
    const entry = this.#entries.get(keyOf(claim.item));
    const current =
      entry?.state === 'claimed' &&
      entry.leaseVersion === claim.leaseVersion &&
      entry.worker === claim.worker;
    return current ? entry : undefined;
  }
}
