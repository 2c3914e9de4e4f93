import type { Nudges } from '@baton/core';
import type { Redis } from 'ioredis';
import { closeRedisClient, createRedisClient, type RedisConnection } from './redis-client.js';

/** Options of a `RedisNudges`. */
export interface RedisNudgesOptions {
  redis: RedisConnection;
  /** Prefix of the pub/sub channels (`<prefix>:nudge:<owner>`); instances talk only under the same prefix. */
  prefix?: string;
  /**
   * Told about Redis failures and about `wake` callbacks that threw. Nudges are best-effort, so nothing is
   * ever thrown back to `nudge` or to the publisher.
   */
  onError?: (error: unknown) => void;
}

/** One `listen` call: its own entry, so the same function listening twice is also stopped one at a time. */
interface Listener {
  wake: () => void;
}

const DEFAULT_PREFIX = 'baton';

/**
 * The `Nudges` of distributed mode, over Redis pub/sub: a worker that has left an outcome for a run nudges
 * the run's owner, and the owner's listeners wake at once instead of at their next poll (ADR 0004).
 *
 * - `nudge(owner)` is one fire-and-forget PUBLISH on `<prefix>:nudge:<owner>` (the owner URI-encoded). It
 *   never throws and never waits; failures go to `onError`. The message carries nothing: a nudge only says
 *   "look at the store".
 * - `listen(owner, wake)` subscribes to the owner's channel on a subscriber connection of its own, opened on
 *   the first `listen` (an instance that only nudges never opens it). The channel is subscribed while at
 *   least one listener of that owner remains; every listener is woken once per nudge received.
 * - Delivery is at-most-once: a nudge sent while nobody is subscribed, or while Redis is away, is lost, and
 *   a subscription is live only once Redis has acknowledged it (`flush()`). The listener's poll covers both,
 *   and coalescing bursts of wakes is the listener's business too.
 */
export class RedisNudges implements Nudges {
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #onError: (error: unknown) => void;
  /** For PUBLISH; it connects on the first nudge. */
  readonly #publisher: Redis;
  #subscriber: Redis | undefined;
  /** Listeners by channel: a channel is subscribed exactly while it has an entry here. */
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Redis commands sent and not yet answered, for `flush()` and `close()`. */
  readonly #pending = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: RedisNudgesOptions) {
    this.#connection = options.redis;
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    const onError = options.onError ?? (() => undefined);
    this.#onError = (error) => {
      try {
        onError(error);
      } catch {
        // A faulty reporter must not become an exception in a nudge or an unhandled rejection.
      }
    };
    this.#publisher = createRedisClient(this.#connection, { lazyConnect: true });
    this.#publisher.on('error', this.#onError);
  }

  nudge(owner: string): void {
    if (this.#closing) return;
    let sent: Promise<unknown>;
    try {
      sent = this.#publisher.publish(this.#channel(owner), '');
    } catch (error) {
      this.#onError(error);
      return;
    }
    this.#track(sent);
  }

  listen(owner: string, wake: () => void): () => void {
    if (this.#closing) throw new Error('the nudges are closed');
    const channel = this.#channel(owner);
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      this.#listeners.set(channel, (listeners = new Set()));
      this.#track(this.#sub().subscribe(channel));
    }
    const listener: Listener = { wake };
    listeners.add(listener);
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0 || this.#listeners.get(channel) !== listeners)
        return;
      this.#listeners.delete(channel);
      if (!this.#closing) this.#track(this.#sub().unsubscribe(channel));
    };
  }

  /**
   * Resolves once every nudge and every subscription change made so far has been acknowledged by Redis (or
   * has failed). After it, nudges sent anywhere reach this instance's current listeners.
   */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /**
   * Drops every listener, waits for what was sent while Redis answers, and closes both connections. Later
   * nudges are ignored and `listen` throws. Safe to call twice.
   */
  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    this.#listeners.clear();
    // Wait for what was sent only while Redis answers; otherwise commands would wait out every reconnect.
    const clients = this.#subscriber ? [this.#publisher, this.#subscriber] : [this.#publisher];
    if (clients.every((client) => client.status === 'ready' || client.status === 'wait')) await this.flush();
    await Promise.all(clients.map((client) => closeRedisClient(client)));
  }

  /** The subscriber connection, opened on the first `listen`. */
  #sub(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const subscriber = createRedisClient(this.#connection);
    subscriber.on('error', this.#onError);
    subscriber.on('message', (channel: string) => this.#wake(channel));
    return (this.#subscriber = subscriber);
  }

  #wake(channel: string): void {
    if (this.#closing) return;
    const listeners = this.#listeners.get(channel);
    if (!listeners) return;
    // Over a copy: a listener added by a `wake` waits for the next nudge, one stopped by a `wake` is skipped.
    for (const listener of [...listeners]) {
      if (this.#closing || !listeners.has(listener)) continue;
      try {
        listener.wake();
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  #track(command: Promise<unknown>): void {
    const tracked: Promise<unknown> = command
      .catch(this.#onError)
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  #channel(owner: string): string {
    return `${this.#prefix}:nudge:${encodeURIComponent(owner)}`;
  }
}
