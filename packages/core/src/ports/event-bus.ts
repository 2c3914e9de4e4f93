import type { RunEvent } from '../execution/run-event.js';

/**
 * Carries committed run events to live listeners (SSE streams, the CLI progress view, other processes).
 * Contract: delivery is after commit and in `seq` order per run; it is best-effort — a listener that needs
 * every event reads the gap from the store by `seq`. A throwing listener never affects others.
 */
export interface EventBus {
  publish(events: readonly RunEvent[]): void;
  /** Listens to one run's events, or to every run's with `'*'`. Returns the function that stops listening. */
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
}
