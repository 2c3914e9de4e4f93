import { Redis, type RedisOptions } from 'ioredis';

/** Where Redis is: a `redis://` URL or ioredis options. Each adapter opens (and closes) its own connections. */
export type RedisConnection = string | RedisOptions;

/**
 * Opens an ioredis client for `connection`, with `overrides` on top of the caller's options. Adapters own
 * the clients they open: a subscriber connection cannot send other commands, and BullMQ's blocking
 * connections need options of their own, so sharing a caller's client would be a trap.
 */
export function createRedisClient(connection: RedisConnection, overrides: RedisOptions = {}): Redis {
  return typeof connection === 'string'
    ? new Redis(connection, overrides)
    : new Redis({ ...connection, ...overrides });
}

/** Closes a client politely (QUIT), or drops it when Redis cannot be reached so shutdown never hangs. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
