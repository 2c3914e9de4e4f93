import { AgentError } from '@baton/core';
import { raceAbort } from '../abort.js';

/** One use of a pooled client; give it back with `release`, or `discard` it when it proved broken. */
export interface Lease<C> {
  readonly client: C;
  /** True when this lease opened the client: a failure then cannot be blamed on a stale connection. */
  readonly fresh: boolean;
  release(): void;
  /** Drops the client from the pool and closes it, so the next lease opens a new one. */
  discard(): void;
}

interface Entry<C> {
  readonly key: string;
  readonly client: Promise<C>;
  users: number;
}

/**
 * Keeps open protocol clients by key (a server and the credentials used for it), so that the tasks calling the
 * same server share one connection, session or process instead of opening one per call. At most `max`
 * clients are kept: past that the least recently used idle one is closed. A client that failed to open is
 * never kept, so the next lease tries again.
 *
 * Concurrency: leases of one key share one client; opening happens once even when many leases wait for it.
 */
export class ClientPool<C> {
  readonly #entries = new Map<string, Entry<C>>();
  readonly #max: number;
  readonly #close: (client: C) => Promise<void>;
  #closed = false;

  constructor(max: number, close: (client: C) => Promise<void>) {
    this.#max = max;
    this.#close = close;
  }

  /** The client for `key`, opened with `open` when there is none. Rejects with the abort error on `signal`. */
  async lease(key: string, open: () => Promise<C>, signal: AbortSignal): Promise<Lease<C>> {
    if (this.#closed) throw new AgentError('the agent runtime is closed', { retryable: true });
    let entry = this.#entries.get(key);
    const fresh = entry === undefined;
    if (entry === undefined) {
      const created: Entry<C> = { key, client: open(), users: 0 };
      created.client.catch(() => this.#drop(created, false));
      entry = created;
    } else {
      // Re-inserted so the map's order is the order of use, oldest first.
      this.#entries.delete(key);
    }
    this.#entries.set(key, entry);
    entry.users++;
    this.#trim();
    let client: C;
    try {
      client = await raceAbort(entry.client, signal);
    } catch (error) {
      entry.users--;
      throw error;
    }
    const held = entry;
    let done = false;
    return {
      client,
      fresh,
      release: () => {
        if (done) return;
        done = true;
        held.users--;
        this.#trim();
      },
      discard: () => {
        if (done) return;
        done = true;
        held.users--;
        this.#drop(held, true);
      },
    };
  }

  /** Closes every client; later leases are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((entry) => this.#shut(entry)));
  }

  #trim(): void {
    for (const entry of this.#entries.values()) {
      if (this.#entries.size <= this.#max) return;
      if (entry.users === 0) this.#drop(entry, true);
    }
  }

  #drop(entry: Entry<C>, close: boolean): void {
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    if (close) void this.#shut(entry);
  }

  async #shut(entry: Entry<C>): Promise<void> {
    try {
      await this.#close(await entry.client);
    } catch {
      // A client that failed to open or to close holds nothing worth reporting.
    }
  }
}
