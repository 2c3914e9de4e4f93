import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentStoreContract,
  approvalStoreContract,
  breakerStoreContract,
  commandStoreContract,
  sampleEvent,
  sampleRun,
  sampleTask,
  storeContract,
  type MakeStore,
} from '@baton/testing';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

const makeStore: MakeStore = () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-'));
  const path = join(dir, 'baton.db');
  let current = SqliteStore.open({ path });
  return Promise.resolve({
    store: current,
    reopen: async () => {
      await current.close();
      current = SqliteStore.open({ path });
      return current;
    },
    cleanup: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
};

storeContract('SqliteStore', makeStore);
commandStoreContract('SqliteStore', makeStore);
breakerStoreContract('SqliteStore', makeStore);
agentStoreContract('SqliteStore', makeStore);
approvalStoreContract('SqliteStore', makeStore);

describe('SqliteStore', () => {
  let dir: string | undefined;
  let store: SqliteStore | undefined;
  const open = (options: Parameters<typeof SqliteStore.open>[0] = {}): SqliteStore => {
    dir ??= mkdtempSync(join(tmpdir(), 'baton-sqlite-'));
    store = SqliteStore.open({ path: join(dir, 'baton.db'), ...options });
    return store;
  };
  afterEach(async () => {
    await store?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    store = undefined;
  });

  it('runs in WAL mode with synchronous=NORMAL and foreign keys by default', () => {
    expect(open().info()).toMatchObject({
      journalMode: 'wal',
      synchronous: 'normal',
      foreignKeys: true,
      busyTimeoutMs: 5_000,
      schemaVersion: MIGRATIONS.at(-1)?.version,
    });
  });

  it('syncs every commit with durability full', () => {
    expect(open({ durability: 'full' }).info().synchronous).toBe('full');
  });

  it('takes the busy timeout it is given', () => {
    expect(open({ busyTimeoutMs: 250 }).info().busyTimeoutMs).toBe(250);
  });

  it('clears a run field that a delta sets to undefined', async () => {
    const s = open();
    await s.createRun(
      sampleRun('run_1', { owner: 'worker-1', leaseUntil: 5, parent: { runId: 'p', taskKey: 'k' } }),
      [],
      [],
    );
    const clear = { owner: undefined, parent: undefined } as unknown as { owner: string };
    await s.commit([{ runId: 'run_1', run: clear, tasks: [], events: [] }]);
    expect(await s.getRun('run_1')).toStrictEqual(sampleRun('run_1', { leaseUntil: 5 }));
  });

  it('ignores keys of a run delta that are not run fields', async () => {
    const s = open();
    await s.createRun(sampleRun('run_1'), [], []);
    const odd = { id: 'run_2', nonsense: 1, priority: 7 } as unknown as { priority: number };
    await s.commit([{ runId: 'run_1', run: odd, tasks: [], events: [] }]);
    expect(await s.getRun('run_1')).toStrictEqual(sampleRun('run_1', { priority: 7 }));
  });

  it('names the run and seq of a duplicate event in the conflict', async () => {
    const s = open();
    await s.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
    await expect(
      s.commit([{ runId: 'run_1', tasks: [], events: [sampleEvent('run_1', 1)] }]),
    ).rejects.toThrow('run "run_1" already has an event with seq 1');
  });

  it('names the missing run when a task row refers to one', async () => {
    const s = open();
    const failure = s.commit([{ runId: 'ghost', tasks: [sampleTask('ghost', 'a')], events: [] }]);
    await expect(failure).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(failure).rejects.toThrow('run "ghost" does not exist');
  });

  it('keeps the file small: a thousand steps of a run stay under a megabyte', async () => {
    const s = open();
    await s.createRun(sampleRun('run_1'), [sampleTask('run_1', 'n0')], []);
    for (let i = 0; i < 1_000; i++) {
      await s.commit([
        {
          runId: 'run_1',
          tasks: [
            sampleTask('run_1', `n${i}`, { status: 'succeeded', output: { i }, port: 'out' }),
            sampleTask('run_1', `n${i + 1}`),
          ],
          events: [sampleEvent('run_1', 2 * i + 1), sampleEvent('run_1', 2 * i + 2)],
        },
      ]);
    }
    await s.close();
    expect(statSync(join(dir!, 'baton.db')).size).toBeLessThan(1024 * 1024);
  });
});
