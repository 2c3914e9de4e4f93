import type { RunEvent } from '@baton/core';
import { redisAvailable, requireService, startRedis, type RedisServer } from '@baton/test-services';
import { eventBusContract } from '@baton/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { RedisEventBus } from './redis-event-bus.js';

const started = (runId: string, seq: number): RunEvent => ({ type: 'run.started', runId, seq, at: seq });

const available = requireService('Redis', redisAvailable(), 'install the redis-server package');

describe.skipIf(!available)('RedisEventBus', () => {
  let server: RedisServer;
  let admin: Redis;
  const buses: RedisEventBus[] = [];
  const bus = (options: Partial<ConstructorParameters<typeof RedisEventBus>[0]> = {}): RedisEventBus => {
    const made = new RedisEventBus({ redis: server.url, ...options });
    buses.push(made);
    return made;
  };

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  afterAll(async () => {
    admin.disconnect();
    await server.stop();
  });

  eventBusContract('RedisEventBus', (onListenerError) => bus({ onListenerError }));

  it('delivers events published in one process to listeners in another, in order per run', async () => {
    const [a, b] = [bus(), bus()];
    const run: number[] = [];
    const all: string[] = [];
    b.subscribe('r1', (e) => run.push(e.seq));
    b.subscribe('*', (e) => all.push(`${e.runId}:${e.seq}`));
    await b.flush();

    a.publish([started('r1', 1), started('r2', 1), started('r1', 2)]);
    a.publish([started('r1', 3), started('r2', 2)]);

    await eventually(() => expect(all).toHaveLength(5));
    expect(run).toEqual([1, 2, 3]);
    expect(all.filter((e) => e.startsWith('r1:'))).toEqual(['r1:1', 'r1:2', 'r1:3']);
    expect(all.filter((e) => e.startsWith('r2:'))).toEqual(['r2:1', 'r2:2']);
  });

  it('carries every field of an event as JSON', async () => {
    const [a, b] = [bus(), bus()];
    const seen: RunEvent[] = [];
    b.subscribe('r1', (e) => seen.push(e));
    await b.flush();
    const event: RunEvent = {
      type: 'task.succeeded',
      runId: 'r1',
      seq: 7,
      at: 1_700_000_000_000,
      taskKey: 'loop[2]/draft',
      nodeId: 'draft',
      attempt: 2,
      output: { text: 'héllo', items: [1, { nested: true }], none: null },
      port: 'default',
      costUsd: 0.0125,
    };
    a.publish([event]);
    await eventually(() => expect(seen).toEqual([event]));
  });

  it("never delivers a bus's own events twice", async () => {
    const [a, b] = [bus(), bus()];
    const onA: string[] = [];
    const onB: string[] = [];
    a.subscribe('r1', (e) => onA.push(`${e.seq}`));
    b.subscribe('r1', (e) => onB.push(`${e.seq}`));
    await Promise.all([a.flush(), b.flush()]);

    a.publish([started('r1', 1)]);
    expect(onA).toEqual(['1']);
    // Redis delivers to a subscriber in publish order: once B's later event reached A, A's own echo (if it
    // were delivered) would have come before it.
    await eventually(() => expect(onB).toEqual(['1']));
    b.publish([started('r1', 2)]);
    await eventually(() => expect(onA).toEqual(['1', '2']));
    expect(onB).toEqual(['1', '2']);
  });

  it('subscribes to Redis only while someone listens, and only to the runs listened to', async () => {
    const b = bus({ channelPrefix: 'lazy' });
    const numsub = async (runId: string): Promise<number> => {
      const reply = (await admin.call('PUBSUB', 'NUMSUB', `lazy:run:${runId}`)) as [string, number];
      return Number(reply[1]);
    };
    const numpat = async (): Promise<number> => Number(await admin.call('PUBSUB', 'NUMPAT'));

    expect(await numsub('r1')).toBe(0);
    const stopOne = b.subscribe('r1', () => undefined);
    const stopTwo = b.subscribe('r1', () => undefined);
    const stopAll = b.subscribe('*', () => undefined);
    await b.flush();
    expect(await numsub('r1')).toBe(1);
    expect(await numsub('r2')).toBe(0);
    expect(await numpat()).toBe(1);

    stopOne();
    await b.flush();
    expect(await numsub('r1')).toBe(1);
    stopTwo();
    stopAll();
    await b.flush();
    expect(await numsub('r1')).toBe(0);
    expect(await numpat()).toBe(0);
  });

  it('reports a malformed message and goes on delivering', async () => {
    const errors: unknown[] = [];
    const b = bus({ channelPrefix: 'odd', onError: (e) => errors.push(e) });
    const seen: number[] = [];
    b.subscribe('r1', (e) => seen.push(e.seq));
    await b.flush();
    await admin.publish('odd:run:r1', 'not json');
    await admin.publish('odd:run:r1', JSON.stringify({ from: 'elsewhere', events: [started('r1', 4)] }));
    await eventually(() => expect(seen).toEqual([4]));
    expect(errors).toHaveLength(1);
  });

  it('keeps buses under different channel prefixes apart', async () => {
    const a = bus({ channelPrefix: 'tenant-a' });
    const b = bus({ channelPrefix: 'tenant-b' });
    const c = bus({ channelPrefix: 'tenant-b' });
    const onB: number[] = [];
    const onC: number[] = [];
    b.subscribe('*', (e) => onB.push(e.seq));
    c.subscribe('*', (e) => onC.push(e.seq));
    await Promise.all([b.flush(), c.flush()]);
    a.publish([started('r1', 1)]);
    c.publish([started('r1', 2)]);
    await eventually(() => expect(onB).toEqual([2]));
    expect(onC).toEqual([2]);
  });

  it('closes cleanly: connections end, nothing is delivered after, and closing twice is harmless', async () => {
    const clients = async (): Promise<number> =>
      String(await admin.call('CLIENT', 'LIST'))
        .trim()
        .split('\n').length;
    const before = await clients();
    const [a, b] = [bus(), bus()];
    const seen: number[] = [];
    b.subscribe('r1', (e) => seen.push(e.seq));
    await b.flush();
    a.publish([started('r1', 1)]);
    await a.flush();
    await eventually(() => expect(seen).toEqual([1]));
    expect(await clients()).toBe(before + 2); // a's publisher, b's publisher is lazy and unused, b's subscriber

    await Promise.all([a.close(), b.close()]);
    await a.close();
    expect(() => a.publish([started('r1', 2)])).not.toThrow();
    expect(() => b.subscribe('r1', () => undefined)).toThrow(/closed/);
    await eventually(async () => expect(await clients()).toBe(before));
    expect(seen).toEqual([1]);
  });
});
