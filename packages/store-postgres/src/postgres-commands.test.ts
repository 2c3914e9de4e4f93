import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandResult } from '@baton/core';
import { sampleEvent, sampleRun } from '@baton/testing';
import { MIGRATIONS, migrate } from './migrations.js';
import { PostgresStore } from './postgres-store.js';
import { hasPostgres, useTestDatabases } from './test-databases.test-helper.js';

const applied: CommandResult = { ok: true };
const refused: CommandResult = {
  ok: false,
  error: { code: 'CONFLICT', message: 'the run is not paused', retryable: false },
};

describe.skipIf(!hasPostgres)('PostgresStore commands and breakers', () => {
  const databases = useTestDatabases();
  const stores: PostgresStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  const open = async (url: string): Promise<PostgresStore> => {
    const store = await PostgresStore.open(url);
    stores.push(store);
    return store;
  };

  it('adds the inbox and breaker tables to a database of the schema before, keeping its runs', async () => {
    const url = await databases.create();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(client, 'test', MIGRATIONS.slice(0, 2));
      await client.query(
        `INSERT INTO runs (id, workflow_id, workflow_version, status, priority, input, vars, cost_usd, created_at)
         VALUES ('run_1', 'invoice-review', '1.0.0', 'running', 50, '{"amount": 1200}', '{}', 0, 1000)`,
      );
    } finally {
      await client.end();
    }
    const store = await open(url);
    expect(await store.getRun('run_1')).toEqual(sampleRun('run_1'));
    const id = await store.enqueueCommand('run_1', { type: 'pause' }, 2_000);
    expect(await store.runCommands('run_1')).toEqual([
      { id, runId: 'run_1', input: { type: 'pause' }, at: 2_000 },
    ]);
    await store.saveBreakers([{ agent: 'a@1', state: 'closed', changedAt: 1, trips: 0 }]);
    expect(await store.loadBreakers()).toEqual([{ agent: 'a@1', state: 'closed', changedAt: 1, trips: 0 }]);
  });

  it('settles the commands of a commit within its one statement', async () => {
    const store = await open(await databases.empty());
    await store.createRun(sampleRun('run_1'), [], []);
    const id = await store.enqueueCommand('run_1', { type: 'pause' }, 1_000);
    const before = store.stats();
    await store.commit([
      {
        runId: 'run_1',
        run: { status: 'paused' },
        tasks: [],
        events: [sampleEvent('run_1', 1)],
        commands: [{ id, result: applied, at: 2_000 }],
      },
    ]);
    expect(store.stats().commitRoundTrips - before.commitRoundTrips).toBe(1);
    expect(await store.commandResult(id)).toEqual({ result: applied, settledAt: 2_000 });
  });

  it('keeps one whole result when two stores settle a command at once', async () => {
    const url = await databases.empty();
    const [a, b] = await Promise.all([open(url), open(url)]);
    await a.createRun(sampleRun('run_1'), [], []);
    for (let round = 0; round < 10; round++) {
      const id = await a.enqueueCommand('run_1', { type: 'pause' }, round);
      await Promise.all([
        a.commit([{ runId: 'run_1', tasks: [], events: [], commands: [{ id, result: applied, at: 1 }] }]),
        b.settleCommand({ id, result: refused, at: 2 }),
      ]);
      const settled = await b.commandResult(id);
      expect([
        { result: applied, settledAt: 1 },
        { result: refused, settledAt: 2 },
      ]).toContainEqual(settled);
      await a.settleCommand({ id, result: refused, at: 3 });
      expect(await a.commandResult(id)).toEqual(settled);
    }
  });
});
