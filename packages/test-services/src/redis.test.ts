import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, redisCommand, startRedis, type RedisServer } from './redis.js';
import { requireService } from './require-service.js';

const available = requireService('Redis', redisAvailable(), 'install the redis-server package');

describe.skipIf(!available)('startRedis', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedis();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('starts a server on a loopback port that answers PING', async () => {
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await redisCommand(server.port, ['PING'])).toBe('+PONG');
  });

  it('runs without persistence', async () => {
    expect(await rawReply(server.port, 'CONFIG GET save')).toBe('*2\r\n$4\r\nsave\r\n$0\r\n\r\n+OK\r\n');
    expect(await rawReply(server.port, 'CONFIG GET appendonly')).toBe(
      '*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n+OK\r\n',
    );
  });

  it('empties every database on flushAll', async () => {
    expect(await redisCommand(server.port, ['SET', 'k', 'v'])).toBe('+OK');
    expect(await redisCommand(server.port, ['DBSIZE'])).toBe(':1');
    await server.flushAll();
    expect(await redisCommand(server.port, ['DBSIZE'])).toBe(':0');
  });

  it('gives each server its own port', async () => {
    const other = await startRedis();
    try {
      expect(other.port).not.toBe(server.port);
      expect(await redisCommand(other.port, ['PING'])).toBe('+PONG');
    } finally {
      await other.stop();
    }
  });

  it('stops the server, and stopping again is harmless', async () => {
    const other = await startRedis();
    await other.stop();
    await other.stop();
    await expect(redisCommand(other.port, ['PING'])).rejects.toThrow();
  });
});

/** The whole raw reply to an inline command, followed by QUIT's `+OK` (QUIT makes the server close). */
function rawReply(port: number, inline: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${inline}\r\nQUIT\r\n`));
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.once('close', () => resolve(reply));
  });
}
