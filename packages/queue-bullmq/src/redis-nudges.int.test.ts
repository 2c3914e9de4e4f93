import { freePort, redisAvailable, requireService, startRedis, type RedisServer } from '@baton/test-services';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { RedisNudges, type RedisNudgesOptions } from './redis-nudges.js';

const available = requireService('Redis', redisAvailable(), 'install the redis-server package');

describe.skipIf(!available)('RedisNudges', () => {
  let server: RedisServer;
  let admin: Redis;
  const made: RedisNudges[] = [];
  const nudges = (options: Partial<RedisNudgesOptions> = {}): RedisNudges => {
    const instance = new RedisNudges({ redis: server.url, ...options });
    made.push(instance);
    return instance;
  };
  /** Counts wakes per name. */
  const counter = () => {
    const counts = new Map<string, number>();
    return {
      counts,
      wake: (name: string) => () => counts.set(name, (counts.get(name) ?? 0) + 1),
      of: (name: string) => counts.get(name) ?? 0,
    };
  };
  const subscribers = async (channel: string): Promise<number> => {
    const reply = (await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    return Number(reply[1]);
  };
  const clientsNamed = async (name: string): Promise<number> => {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
  };

  beforeAll(async () => {
    server = await startRedis();
    admin = new Redis(server.url);
  });

  afterEach(async () => {
    await Promise.all(made.splice(0).map((n) => n.close()));
  });

  afterAll(async () => {
    admin.disconnect();
    await server.stop();
  });

  it('wakes the listeners of the nudged owner on another instance, once per nudge, and no one else', async () => {
    const [worker, server1, server2] = [nudges(), nudges(), nudges()];
    const seen = counter();
    server1.listen('server-1', seen.wake('server-1'));
    server2.listen('server-2', seen.wake('server-2'));
    await Promise.all([server1.flush(), server2.flush()]);

    worker.nudge('server-1');
    worker.nudge('server-1');
    worker.nudge('server-1');

    await eventually(() => expect(seen.of('server-1')).toBe(3));
    worker.nudge('server-2');
    await eventually(() => expect(seen.of('server-2')).toBe(1));
    expect(seen.of('server-1')).toBe(3);
  });

  it('keeps owners apart whatever characters they hold', async () => {
    const [sender, listener] = [nudges(), nudges()];
    const owners = ['a', 'a:b', 'a*', 'a?', 'a/b', 'ö ü', '%41', ''];
    const seen = counter();
    for (const owner of owners) listener.listen(owner, seen.wake(owner));
    await listener.flush();

    for (const owner of owners) sender.nudge(owner);

    await eventually(() => expect(owners.map((o) => seen.of(o))).toEqual(owners.map(() => 1)));
    expect(await subscribers('baton:nudge:a%3Ab')).toBe(1);
  });

  it('talks only to instances under the same prefix', async () => {
    const [sender, same, other] = [
      nudges({ prefix: 'p1' }),
      nudges({ prefix: 'p1' }),
      nudges({ prefix: 'p2' }),
    ];
    const seen = counter();
    other.listen('s', seen.wake('other'));
    same.listen('s', seen.wake('same'));
    await Promise.all([same.flush(), other.flush()]);

    sender.nudge('s');
    await eventually(() => expect(seen.of('same')).toBe(1));
    await sender.flush();
    // Redis pushed that nudge to every subscriber of its channel when it ran the PUBLISH; a probe sent later
    // reaches `other` over the same connection, after the nudge would have.
    other.listen('probe', seen.wake('probe'));
    await other.flush();
    nudges({ prefix: 'p2' }).nudge('probe');
    await eventually(() => expect(seen.of('probe')).toBe(1));
    expect(seen.of('other')).toBe(0);
  });

  it('wakes every listener of an owner, and stopping one leaves the others', async () => {
    const [sender, listener] = [nudges(), nudges()];
    const seen = counter();
    const shared = seen.wake('shared');
    const stopFirst = listener.listen('s', shared);
    listener.listen('s', shared);
    listener.listen('s', seen.wake('other'));
    await listener.flush();

    sender.nudge('s');
    await eventually(() => expect(seen.of('other')).toBe(1));
    expect(seen.of('shared')).toBe(2);

    stopFirst();
    stopFirst();
    sender.nudge('s');
    await eventually(() => expect(seen.of('other')).toBe(2));
    expect(seen.of('shared')).toBe(3);
  });

  it('stops delivery when unsubscribed, and leaves the channel with the last listener', async () => {
    const [sender, listener] = [nudges(), nudges()];
    const seen = counter();
    const stopA = listener.listen('s', seen.wake('a'));
    const stopB = listener.listen('s', seen.wake('b'));
    listener.listen('probe', seen.wake('probe'));
    await listener.flush();
    expect(await subscribers('baton:nudge:s')).toBe(1);

    stopA();
    stopB();
    await listener.flush();
    expect(await subscribers('baton:nudge:s')).toBe(0);

    sender.nudge('s');
    sender.nudge('probe');
    // Both went out on one connection, in order: once the probe is in, the first nudge was not delivered.
    await eventually(() => expect(seen.of('probe')).toBe(1));
    expect(seen.of('a') + seen.of('b')).toBe(0);

    // Listening again subscribes again, even right after an unsubscribe.
    const stopC = listener.listen('s', seen.wake('c'));
    stopC();
    listener.listen('s', seen.wake('d'));
    await listener.flush();
    sender.nudge('s');
    await eventually(() => expect(seen.of('d')).toBe(1));
    expect(seen.of('c')).toBe(0);
  });

  it('skips a listener stopped by an earlier wake of the same nudge', async () => {
    const [sender, listener] = [nudges(), nudges()];
    const seen = counter();
    let stopSecond = (): void => undefined;
    listener.listen('s', () => {
      seen.wake('first')();
      stopSecond();
    });
    stopSecond = listener.listen('s', seen.wake('second'));
    await listener.flush();

    sender.nudge('s');
    await eventually(() => expect(seen.of('first')).toBe(1));
    expect(seen.of('second')).toBe(0);
  });

  it('reports a wake that throws, and still wakes the others', async () => {
    const errors: unknown[] = [];
    const [sender, listener] = [nudges(), nudges({ onError: (error) => errors.push(error) })];
    const seen = counter();
    listener.listen('s', () => {
      throw new Error('wake failed');
    });
    listener.listen('s', seen.wake('ok'));
    await listener.flush();

    sender.nudge('s');
    await eventually(() => expect(seen.of('ok')).toBe(1));
    expect(errors).toEqual([new Error('wake failed')]);
  });

  it('never throws from nudge when Redis is unreachable, and reports the failure instead', async () => {
    const errors: unknown[] = [];
    const port = await freePort();
    const unreachable = nudges({
      redis: { host: '127.0.0.1', port, retryStrategy: () => null, maxRetriesPerRequest: 0 },
      onError: (error) => {
        errors.push(error);
        throw new Error('a reporter that throws is contained too');
      },
    });

    expect(() => unreachable.nudge('s')).not.toThrow();
    await unreachable.flush();
    expect(errors.length).toBeGreaterThan(0);
    await unreachable.close();
  });

  it('closes cleanly: both connections end, later nudges are ignored and listen throws', async () => {
    const name = 'nudges-close';
    const redis = { host: '127.0.0.1', port: server.port, connectionName: name };
    const sender = nudges();
    const onlyNudges = nudges({ redis });
    onlyNudges.nudge('nobody');
    await onlyNudges.flush();
    // An instance that only nudges never opens a subscriber connection.
    expect(await clientsNamed(name)).toBe(1);
    await onlyNudges.close();

    const errors: unknown[] = [];
    const listener = nudges({ redis, onError: (error) => errors.push(error) });
    const seen = counter();
    listener.listen('s', seen.wake('s'));
    // Nudges are at-most-once: one sent before the subscription is acknowledged may be lost, so wait for it.
    await listener.flush();
    listener.nudge('s');
    await listener.flush();
    await eventually(() => expect(seen.of('s')).toBe(1));
    expect(await clientsNamed(name)).toBe(2);

    await listener.close();
    await listener.close();
    await eventually(async () => expect(await clientsNamed(name)).toBe(0));
    expect(await subscribers('baton:nudge:s')).toBe(0);

    expect(() => listener.nudge('s')).not.toThrow();
    expect(() => listener.listen('s', seen.wake('late'))).toThrow(/closed/);
    sender.nudge('s');
    await sender.flush();
    expect(seen.of('s')).toBe(1);
    expect(errors).toEqual([]);
  });
});
