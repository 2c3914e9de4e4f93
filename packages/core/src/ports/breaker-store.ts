/** Where a circuit breaker is: `closed` lets calls through, `open` refuses them, `half_open` lets probes through. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * A circuit breaker of one agent version, as the store keeps it so that its state survives restarts and is
 * shared by every run of every process on the store. Written when the breaker changes state, not on every call.
 */
export interface BreakerRecord {
  /** The agent version, `id@version`. */
  agent: string;
  state: BreakerState;
  /** When the breaker last changed state (ms since epoch). */
  changedAt: number;
  /** An open breaker lets its first probe through at this time. */
  retryAt?: number;
  /** Why it last opened: failures and calls in the window, and the last error. */
  reason?: string;
  /** How many times it has opened since it was first recorded. */
  trips: number;
}

/**
 * The breaker table. Contract (the breaker-store suite in `@baton/testing`): `saveBreakers` replaces the
 * records of the same agents whole and keeps the others; `loadBreakers` returns copies, every agent once.
 */
export interface BreakerStore {
  loadBreakers(): Promise<BreakerRecord[]>;
  saveBreakers(records: readonly BreakerRecord[]): Promise<void>;
}
