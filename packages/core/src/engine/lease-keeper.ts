import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

/** What the lease keeper needs to know and do. */
export interface LeaseKeeperOptions {
  store: Store;
  clock: Clock;
  owner: string;
  leaseMs: number;
  isOwnerGone: (owner: string) => boolean;
  onError: (error: unknown) => void;
  /** The runs this process holds, in memory or parked. */
  held: () => string[];
  /** Loads a run this process just claimed and resumes it. */
  adopt: (runId: string) => Promise<void>;
}

/**
 * Keeps this process's claims on its runs alive and takes over runs nobody drives: on start, then every third
 * of a lease — runs whose owner's lease ran out, and at once those whose owner is known to be gone.
 */
export class LeaseKeeper {
  #cancelTimer: (() => void) | undefined;
  #stopped = false;

  constructor(private readonly o: LeaseKeeperOptions) {}

  /** Takes over unfinished runs whose owner is gone and resumes them where the store says they are. */
  async claimOrphans(): Promise<void> {
    const gone = (await this.o.store.runOwners()).filter((o) => o !== this.o.owner && this.o.isOwnerGone(o));
    const now = this.o.clock.now();
    const ids = await this.o.store.claimRuns(this.o.owner, now, now + this.o.leaseMs, undefined, gone);
    const held = new Set(this.o.held());
    for (const runId of ids) if (!held.has(runId)) await this.o.adopt(runId);
  }

  /** Renews every third of a lease until stopped. */
  start(): void {
    if (this.#stopped) return;
    this.#cancelTimer = this.o.clock.setTimer(this.o.leaseMs / 3, () => {
      const ids = this.o.held();
      const renewal =
        ids.length > 0
          ? this.o.store.renewLease(this.o.owner, ids, this.o.clock.now() + this.o.leaseMs)
          : Promise.resolve([]);
      renewal
        .then(() => this.claimOrphans())
        .catch((error: unknown) => this.o.onError(error))
        .finally(() => this.start());
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
  }
}
