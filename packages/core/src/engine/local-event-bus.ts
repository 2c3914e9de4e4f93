import type { RunEvent } from '../execution/run-event.js';
import type { EventBus } from '../ports/event-bus.js';

type Listener = (event: RunEvent) => void;

/**
 * The in-process `EventBus` of embedded mode. Delivers synchronously, in publish order; a listener that
 * throws is reported through `onListenerError` and never stops delivery to the others.
 */
export class LocalEventBus implements EventBus {
  readonly #byRun = new Map<string, Set<Listener>>();
  readonly #all = new Set<Listener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(options: { onListenerError?: (error: unknown) => void } = {}) {
    this.#onListenerError = options.onListenerError ?? (() => undefined);
  }

  publish(events: readonly RunEvent[]): void {
    if (this.#all.size === 0 && this.#byRun.size === 0) return;
    for (const event of events) {
      const listeners = this.#byRun.get(event.runId);
      if (listeners) for (const listener of listeners) this.#deliver(listener, event);
      for (const listener of this.#all) this.#deliver(listener, event);
    }
  }

  subscribe(runId: string, listener: Listener): () => void {
    if (runId === '*') {
      this.#all.add(listener);
      return () => this.#all.delete(listener);
    }
    let set = this.#byRun.get(runId);
    if (!set) this.#byRun.set(runId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#byRun.delete(runId);
    };
  }

  #deliver(listener: Listener, event: RunEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.#onListenerError(error);
    }
  }
}
