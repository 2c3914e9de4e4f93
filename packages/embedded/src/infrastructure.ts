import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DefinitionError,
  poolFor,
  type AgentStore,
  type EventBus,
  type RemoteExecution,
  type Store,
  type WorkStore,
} from '@baton/core';
import type { BullmqWorkQueue, RedisNudges } from '@baton/queue-bullmq';
import { SqliteStore } from '@baton/store-sqlite';

/** Where a Baton keeps its state and how its agent tasks travel. */
export interface InfrastructureOptions {
  /** Embedded: where the SQLite file lives (`baton.db`); default `./.baton`, or `BATON_DATA_DIR`. */
  dataDir?: string;
  /** `full` makes every SQLite commit survive power loss, at a cost in speed. Default `normal`. */
  durability?: 'normal' | 'full';
  /** Distributed mode: the PostgreSQL store (default `BATON_DATABASE_URL`). */
  databaseUrl?: string;
  /** Distributed mode: Redis for work signals and live events (default `BATON_REDIS_URL`). */
  redisUrl?: string;
  /** Distributed mode: the agent pools workers are deployed for (default `BATON_POOLS`, comma-separated). */
  pools?: readonly string[];
}

/** The adapters of one Baton process and how to close them. */
export interface Infrastructure {
  mode: 'embedded' | 'distributed';
  /** Where the state is: the data directory, or the database host without credentials. */
  location: string;
  store: Store & AgentStore;
  bus?: EventBus;
  remote?: RemoteExecution;
  /** Redis, for a worker in this process. */
  redis?: { queue: BullmqWorkQueue; nudges: RedisNudges; work: WorkStore; bus: EventBus };
  close(): Promise<void>;
}

const env = (name: string): string | undefined => {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** The settings in force: explicit options first, then the environment. */
export function resolveInfrastructure(
  options: InfrastructureOptions,
): Required<Pick<InfrastructureOptions, 'pools'>> & InfrastructureOptions {
  const databaseUrl = options.databaseUrl ?? env('BATON_DATABASE_URL');
  const redisUrl = options.redisUrl ?? env('BATON_REDIS_URL');
  const pools =
    options.pools ??
    (env('BATON_POOLS') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  return {
    ...options,
    pools,
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(redisUrl === undefined ? {} : { redisUrl }),
  };
}

/**
 * Opens the store and, in distributed mode, the Redis side: SQLite in a data directory by default; PostgreSQL
 * when a database URL is set; with a Redis URL as well, agent tasks go to workers through the outbox and live
 * events travel between processes (ADR 0004).
 */
export async function openInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const settings = resolveInfrastructure(options);
  if (settings.redisUrl !== undefined && settings.databaseUrl === undefined) {
    const message =
      'BATON_REDIS_URL is set but BATON_DATABASE_URL is not: distributed mode keeps its state in PostgreSQL; set both, or neither for embedded mode';
    throw new DefinitionError(message, [
      { code: 'SETTING_MISSING', path: 'BATON_DATABASE_URL', message, severity: 'error' },
    ]);
  }
  if (settings.databaseUrl === undefined) {
    const dataDir = resolve(settings.dataDir ?? env('BATON_DATA_DIR') ?? '.baton');
    mkdirSync(dataDir, { recursive: true });
    const store = SqliteStore.open({
      path: join(dataDir, 'baton.db'),
      durability: settings.durability ?? 'normal',
    });
    return { mode: 'embedded', location: dataDir, store, close: () => store.close() };
  }
  // Loaded only in distributed mode: pg, BullMQ and ioredis would add ~40 MB and a few hundred ms of start-up
  // to every embedded process.
  const { PostgresStore } = await import('@baton/store-postgres');
  const store = await PostgresStore.open(settings.databaseUrl, { applicationName: 'baton' });
  const location = safeLocation(settings.databaseUrl);
  if (settings.redisUrl === undefined) {
    return { mode: 'distributed', location, store, close: () => store.close() };
  }
  const redis = settings.redisUrl;
  const { BullmqWorkQueue, RedisEventBus, RedisNudges } = await import('@baton/queue-bullmq');
  const bus = new RedisEventBus({ redis });
  // A worker killed between fetching a signal and claiming its work leaves the job active in Redis, and the
  // reconciler's add of the same signal is a no-op until BullMQ sees the job stalled: keep that short.
  const queue = new BullmqWorkQueue({
    redis,
    worker: { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 },
  });
  const nudges = new RedisNudges({ redis });
  const pools = settings.pools;
  return {
    mode: 'distributed',
    location,
    store,
    bus,
    remote: { work: store, queue, nudges, poolOf: (agent) => poolFor(agent, pools) },
    redis: { queue, nudges, work: store, bus },
    async close() {
      await Promise.allSettled([queue.close(), nudges.close(), bus.close()]);
      await store.close();
    },
  };
}

/** A database URL without its password, for messages. */
function safeLocation(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}
