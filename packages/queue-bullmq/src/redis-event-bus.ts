import { randomUUID } from 'node:crypto';
import type { EventBus, RunEvent } from '@baton/core';
import type { Redis } from 'ioredis';
import { closeRedisClient, createRedisClient, type RedisConnection } from './redis-client.js';

type Listener = (event: RunEvent) => void;

/** Options of a `RedisEventBus`. */
export interface RedisEventBusOptions {
  redis: RedisConnection;
  /** Prefix of the pub/sub channels; buses talk to each other only under the same prefix. */
  channelPrefix?: string;
  /** Told about a listener that threw; delivery to the others goes on. */
  onListenerError?: (error: unknown) => void;
  /** Told about Redis failures and malformed messages; live delivery is best-effort, so these never throw. */
  onError?: (error: unknown) => void;
}

/** What goes over a run's channel: one publish call's events of that run, tagged with the sending bus. */
interface Envelope {
  from: string;
  events: RunEvent[];
}

const DEFAULT_PREFIX = 'baton:events';

/**
 * The `EventBus` of distributed mode. Listeners in this process get events synchronously, exactly as from
 * `LocalEventBus`; the events also go out on Redis pub/sub (JSON, one channel per run) so that listeners in
 * other processes get them too. A bus skips its own messages by its instance id, so nothing is delivered
 * twice. Redis subscriptions follow the listeners: a run's channel is subscribed while someone in this
 * process listens to that run, and the pattern of all runs while someone listens to `'*'`.
 *
 * Order: per run, events arrive in publish order (one connection publishes, Redis keeps order per
 * connection). Delivery across processes is best-effort, as the port says: a listener that needs every event
 * subscribes, awaits `flush()`, then reads what it missed from the store by `seq`.
 */
export class RedisEventBus implements EventBus {
  /** Tells this bus's messages apart from other processes' (and other buses in this process). */
  readonly instanceId = randomUUID();
  readonly #byRun = new Map<string, Set<Listener>>();
  readonly #all = new Set<Listener>();
  readonly #publisher: Redis;
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #onListenerError: (error: unknown) => void;
  readonly #onError: (error: unknown) => void;
  #subscriber: Redis | undefined;
  /** Redis commands sent and not yet answered, for `flush()` and `close()`. */
  readonly #pending = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: RedisEventBusOptions) {
    this.#connection = options.redis;
    this.#prefix = options.channelPrefix ?? DEFAULT_PREFIX;
    this.#onListenerError = options.onListenerError ?? (() => undefined);
    this.#onError = options.onError ?? (() => undefined);
    this.#publisher = createRedisClient(this.#connection, { lazyConnect: true });
    this.#publisher.on('error', this.#onError);
  }

  publish(events: readonly RunEvent[]): void {
    if (this.#closing || events.length === 0) return;
    this.#deliver(events, true, true);
    // One message per run keeps each run's events on its own channel, in order.
    const byRun = new Map<string, RunEvent[]>();
    for (const event of events) {
      const batch = byRun.get(event.runId);
      if (batch) batch.push(event);
      else byRun.set(event.runId, [event]);
    }
    for (const [runId, batch] of byRun) {
      const envelope: Envelope = { from: this.instanceId, events: batch };
      this.#track(this.#publisher.publish(this.#channel(runId), JSON.stringify(envelope)));
    }
  }

  subscribe(runId: string, listener: Listener): () => void {
    if (this.#closing) throw new Error('the event bus is closed');
    if (runId === '*') {
      if (this.#all.size === 0) this.#track(this.#sub().psubscribe(this.#allPattern()));
      this.#all.add(listener);
      return () => {
        if (!this.#all.delete(listener) || this.#all.size > 0 || this.#closing) return;
        this.#track(this.#sub().punsubscribe(this.#allPattern()));
      };
    }
    let set = this.#byRun.get(runId);
    if (!set) {
      this.#byRun.set(runId, (set = new Set()));
      this.#track(this.#sub().subscribe(this.#channel(runId)));
    }
    set.add(listener);
    return () => {
      if (!set.delete(listener) || set.size > 0 || this.#byRun.get(runId) !== set) return;
      this.#byRun.delete(runId);
      if (!this.#closing) this.#track(this.#sub().unsubscribe(this.#channel(runId)));
    };
  }

  /**
   * Resolves once every publish and subscription change made so far has been acknowledged by Redis. After
   * it, events published anywhere reach this bus's current listeners.
   */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Drops every listener, waits for what was sent, and closes both connections. Safe to call twice. */
  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    this.#byRun.clear();
    this.#all.clear();
    // Wait for what was sent only while Redis answers; otherwise commands would wait out every reconnect.
    const clients = this.#subscriber ? [this.#publisher, this.#subscriber] : [this.#publisher];
    if (clients.every((client) => client.status === 'ready' || client.status === 'wait')) await this.flush();
    await Promise.all([
      closeRedisClient(this.#publisher),
      this.#subscriber ? closeRedisClient(this.#subscriber) : undefined,
    ]);
  }

  /** The subscriber connection, opened on the first subscription: a bus that only publishes never opens it. */
  #sub(): Redis {
    if (this.#subscriber) return this.#subscriber;
    const subscriber = createRedisClient(this.#connection);
    subscriber.on('error', this.#onError);
    // Plain messages come from run channels and go to that run's listeners; pattern messages go to `'*'`
    // listeners. Redis sends both when both match, so each listener still gets every event exactly once.
    subscriber.on('message', (_channel: string, message: string) => this.#receive(message, true, false));
    subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) =>
      this.#receive(message, false, true),
    );
    return (this.#subscriber = subscriber);
  }

  #receive(message: string, toRun: boolean, toAll: boolean): void {
    if (this.#closing) return;
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(message);
    } catch (error) {
      this.#onError(error);
      return;
    }
    if (envelope.from !== this.instanceId) this.#deliver(envelope.events, toRun, toAll);
  }

  /** Delivers like `LocalEventBus`: per event, the run's listeners, then the `'*'` listeners. */
  #deliver(events: readonly RunEvent[], toRun: boolean, toAll: boolean): void {
    for (const event of events) {
      if (toRun) {
        const listeners = this.#byRun.get(event.runId);
        if (listeners) for (const listener of listeners) this.#call(listener, event);
      }
      if (toAll) for (const listener of this.#all) this.#call(listener, event);
    }
  }

  #call(listener: Listener, event: RunEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.#onListenerError(error);
    }
  }

  #track(command: Promise<unknown>): void {
    const tracked: Promise<unknown> = command
      .catch(this.#onError)
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  #channel(runId: string): string {
    return `${this.#prefix}:run:${runId}`;
  }

  /** The channel pattern of every run; the prefix is escaped so that it matches only itself. */
  #allPattern(): string {
    return `${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}:run:*`;
  }
}

function parseEnvelope(message: string): Envelope {
  const value: unknown = JSON.parse(message);
  if (typeof value === 'object' && value !== null && 'from' in value && 'events' in value) {
    const { from, events } = value;
    if (typeof from === 'string' && Array.isArray(events)) return { from, events: events as RunEvent[] };
  }
  throw new Error(`malformed event message: ${message.slice(0, 200)}`);
}
