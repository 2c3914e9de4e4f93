import { CancelledError, NotFoundError, type WorkFailure, type WorkSignal } from '@baton/core';
import { redisAvailable, requireService, startRedis, type RedisServer } from '@baton/test-services';
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

/** A promise and the function that resolves it, to hold handlers open. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe.skipIf(!available)('BullmqWorkQueue: consuming', () => {
  let server: RedisServer;
  const queues: BullmqWorkQueue[] = [];
  const open = (options: Partial<BullmqWorkQueueOptions> = {}): BullmqWorkQueue => {
    const queue = new BullmqWorkQueue({ redis: server.url, backoffMs: 5, ...options });
    queues.push(queue);
    return queue;
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

  it('never runs more handlers of a pool at once than the concurrency', async () => {
    const queue = open();
    const hold = gate();
    let running = 0;
    let peak = 0;
    let done = 0;
    const stop = queue.consume(['default'], { concurrency: 3 }, async () => {
      running++;
      peak = Math.max(peak, running);
      await hold.opened;
      running--;
      done++;
    });
    await queue.add(Array.from({ length: 10 }, (_, i) => work(`t${i}`)));
    await eventually(() => expect(running).toBe(3));
    expect(await queue.depth()).toBe(7);
    hold.open();
    await eventually(() => expect(done).toBe(10));
    expect(peak).toBe(3);
    await stop();
  });

  it('applies the concurrency to each pool of a consumer', async () => {
    const queue = open();
    const hold = gate();
    const running = new Map<string, number>();
    const stop = queue.consume(['a', 'b'], { concurrency: 2 }, async (w) => {
      running.set(w.pool, (running.get(w.pool) ?? 0) + 1);
      await hold.opened;
    });
    await queue.add([
      ...Array.from({ length: 4 }, (_, i) => work(`a${i}`, { pool: 'a' })),
      ...Array.from({ length: 4 }, (_, i) => work(`b${i}`, { pool: 'b' })),
    ]);
    await eventually(() => expect(Object.fromEntries(running)).toEqual({ a: 2, b: 2 }));
    hold.open();
    await stop();
  });

  it('stops gracefully: waits for running handlers and takes nothing new', async () => {
    const queue = open();
    const hold = gate();
    const started: string[] = [];
    const finished: string[] = [];
    const stop = queue.consume(['default'], { concurrency: 2 }, async (w) => {
      started.push(w.taskKey);
      await hold.opened;
      finished.push(w.taskKey);
    });
    await queue.add([work('a'), work('b')]);
    await eventually(() => expect(started).toHaveLength(2));

    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await queue.add([work('c')]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    hold.open();
    await stopping;
    expect([...finished].sort()).toEqual(['a', 'b']);
    expect(started).toHaveLength(2);
    expect(await queue.depth()).toBe(1);
    await stop();
  });

  it('reports every handler failure and redelivers the signal up to the limit, then forgets it', async () => {
    const failures: WorkFailure[] = [];
    const queue = open({ deliveries: 3, onError: (_e, failure) => failure && failures.push(failure) });
    let calls = 0;
    const stop = queue.consume(['default'], { concurrency: 1 }, () => {
      calls++;
      return Promise.reject(new Error('store unreachable'));
    });
    await queue.add([work('a')]);
    await eventually(() => expect(failures).toHaveLength(3));
    expect(failures.map((f) => [f.delivery, f.final])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(failures[0]?.work).toEqual(work('a'));
    await eventually(async () => expect(await queue.depth()).toBe(0));

    // Dropped, not kept as a failed job: the reconciler can add it again, and it is delivered again.
    await queue.add([work('a')]);
    await eventually(() => expect(calls).toBe(6));
    await stop();
  });

  it('delivers again after a failure and then completes', async () => {
    const queue = open();
    let calls = 0;
    let succeeded = false;
    const stop = queue.consume(['default'], { concurrency: 1 }, () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('blip'));
      succeeded = true;
      return Promise.resolve();
    });
    await queue.add([work('a')]);
    await eventually(() => expect(succeeded).toBe(true));
    expect(calls).toBe(2);
    await stop();
  });

  it('does not redeliver when the handler says the failure is not retryable', async () => {
    const failures: WorkFailure[] = [];
    const queue = open({ onError: (_e, failure) => failure && failures.push(failure) });
    const stop = queue.consume(['default'], { concurrency: 1 }, (w) =>
      Promise.reject(
        w.taskKey === 'gone' ? new NotFoundError('task gone') : new CancelledError('run cancelled'),
      ),
    );
    await queue.add([work('gone'), work('cancelled')]);
    await eventually(() => expect(failures).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failures.map((f) => [f.work.taskKey, f.delivery, f.final])).toEqual([
      ['gone', 1, true],
      ['cancelled', 1, true],
    ]);
    expect(await queue.depth()).toBe(0);
    await stop();
  });

  it('keeps working after Redis lost everything, when the same signals are added again', async () => {
    const queue = open();
    const handled: string[] = [];
    const stop = queue.consume(['default', 'legal'], { concurrency: 2 }, (w) => {
      handled.push(`${w.pool}:${w.taskKey}`);
      return Promise.resolve();
    });
    await queue.add([work('a'), work('b', { pool: 'legal' })]);
    await eventually(() => expect(handled).toHaveLength(2));

    // Signals added while no consumer could take them, then lost with everything else in Redis.
    await stop();
    await queue.add([work('c'), work('d', { pool: 'legal' })]);
    expect(await queue.depth()).toBe(2);
    await server.flushAll();
    expect(await queue.depth()).toBe(0);

    // The reconciler re-adds what the store says is ready; a new consumer takes it.
    const again = queue.consume(['default', 'legal'], { concurrency: 2 }, (w) => {
      handled.push(`${w.pool}:${w.taskKey}`);
      return Promise.resolve();
    });
    await queue.add([work('c'), work('d', { pool: 'legal' }), work('d', { pool: 'legal' })]);
    await eventually(() => expect(handled).toHaveLength(4));
    expect(handled.slice(2).sort()).toEqual(['default:c', 'legal:d']);
    expect(await queue.depth()).toBe(0);
    await again();
    await queue.add([work('e')]);
    expect(await queue.remove('r1', ['e'])).toBe(1);
  });

  it('keeps a running consumer working across a FLUSHALL', async () => {
    const queue = open();
    const handled: string[] = [];
    const stop = queue.consume(['default'], { concurrency: 1 }, (w) => {
      handled.push(w.taskKey);
      return Promise.resolve();
    });
    await queue.add([work('a')]);
    await eventually(() => expect(handled).toEqual(['a']));
    await server.flushAll();
    await queue.add([work('a'), work('b')]);
    await eventually(() => expect(handled).toEqual(['a', 'a', 'b']));
    await stop();
  });

  it('aborts running handlers when stopped with cancelRunning, still waits for them, and redelivers', async () => {
    const failures: WorkFailure[] = [];
    const queue = open({ backoffMs: 60_000, onError: (_e, failure) => failure && failures.push(failure) });
    const signals: AbortSignal[] = [];
    const stop = queue.consume(['default'], { concurrency: 2 }, (_w, abort) => {
      signals.push(abort);
      return new Promise<void>((_, reject) =>
        abort.addEventListener('abort', () => setTimeout(() => reject(new Error('aborted')), 20)),
      );
    });
    await queue.add([work('a'), work('b')]);
    await eventually(() => expect(signals).toHaveLength(2));
    expect(signals.some((s) => s.aborted)).toBe(false);

    await stop({ cancelRunning: true });
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(failures.map((f) => [f.work.taskKey, f.final]).sort()).toEqual([
      ['a', false],
      ['b', false],
    ]);
    // Waiting for their next delivery.
    expect(await queue.depth()).toBe(2);
  });

  it('rejects a concurrency below 1', () => {
    const queue = open();
    expect(() => queue.consume(['default'], { concurrency: 0 }, () => Promise.resolve())).toThrow(RangeError);
  });

  it('stops its consumers when closed, waiting for their handlers', async () => {
    const queue = open();
    const hold = gate();
    let finished = false;
    queue.consume(['default'], { concurrency: 1 }, async () => {
      await hold.opened;
      finished = true;
    });
    await queue.add([work('a')]);
    await eventually(async () => expect(await queue.depth()).toBe(0));
    const closing = queue.close();
    setTimeout(hold.open, 20);
    await closing;
    expect(finished).toBe(true);
  });
});
