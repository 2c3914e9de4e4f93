import type { WorkSignal } from '@baton/core';
import { redisAvailable, requireService, startRedis, type RedisServer } from '@baton/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BullmqWorkQueue, type BullmqWorkQueueOptions } from './bullmq-work-queue.js';
import { eventually } from './eventually.js';

const available = requireService('Redis', redisAvailable(), 'install the redis-server package');

const work = (taskKey: string, more: Partial<WorkSignal> = {}): WorkSignal => ({
  runId: 'r1',
  taskKey,
  attempt: 1,
  pool: 'default',
  runPriority: 50,
  rank: 0,
  ...more,
});

describe.skipIf(!available)('BullmqWorkQueue: adding, ordering, removing, depth', () => {
  let server: RedisServer;
  const queues: BullmqWorkQueue[] = [];
  const open = (options: Partial<BullmqWorkQueueOptions> = {}): BullmqWorkQueue => {
    const queue = new BullmqWorkQueue({ redis: server.url, ...options });
    queues.push(queue);
    return queue;
  };

  /** Runs `queue`'s signals of `pools` one at a time and resolves with their task keys, in order. */
  const drain = async (queue: BullmqWorkQueue, pools: string[], expected: number): Promise<string[]> => {
    const seen: string[] = [];
    const stop = queue.consume(pools, { concurrency: 1 }, (w) => {
      seen.push(w.taskKey);
      return Promise.resolve();
    });
    await eventually(() => expect(seen).toHaveLength(expected));
    await stop();
    return seen;
  };

  beforeAll(async () => {
    server = await startRedis();
  });

  beforeEach(async () => {
    await server.flushAll();
  });

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close()));
  });

  afterAll(async () => {
    await server.stop();
  });

  it('adds the same attempt only once, and a new attempt of the same task again', async () => {
    const queue = open();
    await queue.add([work('a'), work('a')]);
    await queue.add([work('a'), work('a', { runPriority: 90, rank: 5 })]);
    expect(await queue.depth()).toBe(1);
    await queue.add([work('a', { attempt: 2 }), work('a', { runId: 'r2' })]);
    expect(await queue.depth()).toBe(3);
  });

  it('accepts run ids, task keys and pools with any characters', async () => {
    const queue = open();
    const odd = work('loop:1/{draft} 7', { runId: 'run:1/x', pool: 'domain:legal/{eu}' });
    await queue.add([odd, odd]);
    expect(await queue.depth(['domain:legal/{eu}'])).toBe(1);
    const seen: WorkSignal[] = [];
    const stop = queue.consume(['domain:legal/{eu}'], { concurrency: 1 }, (w) => {
      seen.push(w);
      return Promise.resolve();
    });
    await eventually(() => expect(seen).toEqual([odd]));
    await stop();
  });

  it('hands out signals by run priority, then rank, then insertion order', async () => {
    const queue = open();
    await queue.add([
      work('low', { runPriority: 10, rank: 99_000 }),
      work('mid-short', { runPriority: 50, rank: 100 }),
      work('mid-long-first', { runPriority: 50, rank: 3_600_000 }),
      work('high', { runPriority: 100, rank: 0 }),
      work('mid-none', { runPriority: 50, rank: 0 }),
      work('mid-long-second', { runPriority: 50, rank: 3_600_000 }),
      work('mid-middle', { runPriority: 50, rank: 60_000 }),
    ]);
    expect(await drain(queue, ['default'], 7)).toEqual([
      'high',
      'mid-long-first',
      'mid-long-second',
      'mid-middle',
      'mid-short',
      'mid-none',
      'low',
    ]);
  });

  it('keeps one queue per pool, and a consumer takes only from its pools', async () => {
    const queue = open();
    await queue.add([
      work('d1'),
      work('legal1', { pool: 'domain:legal' }),
      work('other1', { pool: 'other' }),
      work('d2'),
    ]);
    expect(await queue.depth(['default'])).toBe(2);
    expect(await queue.depth(['domain:legal'])).toBe(1);
    expect(await queue.depth(['other'])).toBe(1);

    const seen = await drain(queue, ['default', 'domain:legal'], 3);
    expect([...seen].sort()).toEqual(['d1', 'd2', 'legal1']);
    expect(await queue.depth(['other'])).toBe(1);
    expect(await queue.depth()).toBe(1);
  });

  it('counts depth over the given pools, or over every pool added to by anyone', async () => {
    const producer = open();
    const observer = open();
    expect(await observer.depth()).toBe(0);
    await producer.add([work('a'), work('b', { pool: 'gpu' }), work('c', { pool: 'gpu' })]);
    expect(await observer.depth()).toBe(3);
    expect(await observer.depth(['gpu'])).toBe(2);
    expect(await observer.depth(['gpu', 'default'])).toBe(3);
    expect(await observer.depth(['never-used'])).toBe(0);
  });

  it('counts signals waiting for a retry in the depth', async () => {
    const queue = open({ backoffMs: 60_000 });
    await queue.add([work('flaky')]);
    let calls = 0;
    const stop = queue.consume(['default'], { concurrency: 1 }, () => {
      calls++;
      return Promise.reject(new Error('store unreachable'));
    });
    await eventually(() => expect(calls).toBe(1));
    await stop();
    expect(await queue.depth()).toBe(1);
  });

  it("removes a run's signals, some tasks or all, in every pool", async () => {
    const queue = open();
    await queue.add([
      work('a'),
      work('b', { pool: 'domain:legal' }),
      work('c'),
      work('a', { attempt: 2 }),
      work('a', { runId: 'r2' }),
    ]);
    expect(await queue.remove('r1', ['a'])).toBe(2);
    expect(await queue.depth()).toBe(3);
    expect(await queue.remove('r1', ['a', 'no-such-task'])).toBe(0);
    expect(await queue.remove('r1')).toBe(2);
    expect(await queue.depth()).toBe(1);
    expect(await queue.remove('r1')).toBe(0);
    expect(await queue.remove('never-added')).toBe(0);
    expect(await drain(queue, ['default'], 1)).toEqual(['a']);
  });

  it('lets a removed signal be added again', async () => {
    const queue = open();
    await queue.add([work('a')]);
    await queue.remove('r1', ['a']);
    await queue.add([work('a')]);
    expect(await queue.depth()).toBe(1);
    expect(await queue.remove('r1')).toBe(1);
  });

  it('does not remove a signal whose handler is running', async () => {
    const queue = open();
    await queue.add([work('a'), work('b')]);
    let release = (): void => undefined;
    const running: string[] = [];
    const stop = queue.consume(['default'], { concurrency: 1 }, (w) => {
      running.push(w.taskKey);
      return new Promise<void>((resolve) => (release = resolve));
    });
    await eventually(() => expect(running).toEqual(['a']));
    expect(await queue.remove('r1')).toBe(1);
    release();
    await stop();
    expect(running).toEqual(['a']);
    expect(await queue.depth()).toBe(0);
  });

  it("closes every connection it opened, its consumers' included", async () => {
    const admin = new Redis(server.url);
    try {
      const clients = async (): Promise<number> =>
        String(await admin.call('CLIENT', 'LIST'))
          .trim()
          .split('\n').length;
      const before = await clients();
      const queue = open();
      await queue.add([work('a'), work('b', { pool: 'other' })]);
      const seen: string[] = [];
      queue.consume(['default', 'other'], { concurrency: 1 }, (w) => {
        seen.push(w.taskKey);
        return Promise.resolve();
      });
      await eventually(() => expect(seen).toHaveLength(2));
      expect(await clients()).toBeGreaterThan(before);
      await queue.close();
      await eventually(async () => expect(await clients()).toBe(before));
    } finally {
      admin.disconnect();
    }
  });

  it('rejects calls after close, and closing twice is harmless', async () => {
    const queue = open();
    await queue.add([work('a')]);
    await queue.close();
    await queue.close();
    await expect(queue.add([work('b')])).rejects.toThrow(/closed/);
    await expect(queue.depth()).rejects.toThrow(/closed/);
  });

  it('refuses a signal with an attempt that is not an integer', async () => {
    const queue = open();
    await expect(queue.add([work('a', { attempt: 1.5 })])).rejects.toThrow(RangeError);
    expect(await queue.depth()).toBe(0);
  });
});
