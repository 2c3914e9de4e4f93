import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleEvent, sampleRun } from '@baton/testing';
import { startPostgres } from '@baton/test-services';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';
import { PostgresStore } from './postgres-store.js';
import { hasPostgres, useTestDatabases } from './test-databases.test-helper.js';

/** The error `act` rejects with; fails the test when there is none. */
async function failureOf(
  act: () => Promise<unknown>,
): Promise<{ code?: unknown; retryable?: unknown; message: string }> {
  try {
    await act();
  } catch (error) {
    return error as { code?: unknown; retryable?: unknown; message: string };
  }
  throw new Error('expected a failure');
}

describe.skipIf(!hasPostgres)('PostgresStore.open', () => {
  const databases = useTestDatabases();
  const stores: PostgresStore[] = [];
  const clients: pg.Client[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
  });
  const open = async (url: string): Promise<PostgresStore> => {
    const store = await PostgresStore.open(url);
    stores.push(store);
    return store;
  };
  const connect = async (url: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  };

  it('applies every migration once and records each', async () => {
    const url = await databases.create();
    await (await open(url)).close();
    await (await open(url)).close();
    const rows = await databases.sql(url, 'SELECT version, name FROM baton_migrations ORDER BY version');
    expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it('migrates once when two processes open a new database at the same time', async () => {
    const url = await databases.create();
    const [a, b] = await Promise.all([open(url), open(url)]);
    await a.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
    expect(await b.getRun('run_1')).toEqual(sampleRun('run_1'));
    const rows = await databases.sql(url, 'SELECT count(*)::int AS n FROM baton_migrations');
    expect(rows).toEqual([{ n: MIGRATIONS.length }]);
  });

  it('holds the other opener on the advisory lock until the first has migrated', async () => {
    // A migration slow enough that, without the lock, both sessions would find version 0 and both apply it.
    const slow: Migration[] = [
      { version: 1, name: 'slow', sql: 'SELECT pg_sleep(0.3); CREATE TABLE only_once (n integer)' },
    ];
    const url = await databases.create();
    const [first, second] = [await connect(url), await connect(url)];
    const applied = await Promise.all([migrate(first, 'test', slow), migrate(second, 'test', slow)]);
    expect(applied.sort((x, y) => y.length - x.length)).toEqual([[1], []]);
  });

  it('rolls a failed migration back whole, recording nothing of it', async () => {
    const url = await databases.create();
    const failing: Migration[] = [
      { version: 1, name: 'fine', sql: 'CREATE TABLE first_table (n integer)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE second_table (n no_such_type)' },
    ];
    await expect(migrate(await connect(url), 'test', failing)).rejects.toThrow('no_such_type');
    const rows = await databases.sql(
      url,
      "SELECT to_regclass('first_table')::text AS first, to_regclass('baton_migrations')::text AS migrations",
    );
    expect(rows).toEqual([{ first: null, migrations: null }]);
  });

  it('refuses a database whose schema is newer than it knows', async () => {
    const url = await databases.create();
    await (await open(url)).close();
    await databases.sql(url, "INSERT INTO baton_migrations (version, name) VALUES (99, 'future')");
    const failure = await failureOf(() => open(url));
    expect(failure.code).toBe('STORAGE_FAILED');
    expect(failure.message).toContain('has schema version 99, newer than this Baton knows');
    expect(failure.message).toContain('upgrade Baton');
  });

  it('names a database that does not exist, without the credentials of the URL', async () => {
    const url = new URL(databases.server.url);
    url.pathname = '/no_such_database';
    url.password = 'secret-password';
    const failure = await failureOf(() => open(url.toString()));
    expect(failure.code).toBe('STORAGE_FAILED');
    expect(failure.message).toContain('"no_such_database" does not exist');
    expect(failure.message).toContain(`127.0.0.1:${databases.server.port}/no_such_database`);
    expect(failure.message).not.toContain('secret-password');
  });

  it('reconnects after PostgreSQL restarts; committed data is still there', async () => {
    const url = await databases.empty();
    const store = await open(url);
    await store.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
    await databases.server.restart();
    // The connections the store held broke with the restart; the next call opens a new one.
    expect(await store.getRun('run_1')).toEqual(sampleRun('run_1'));
    await store.commit([
      { runId: 'run_1', run: { costUsd: 1 }, tasks: [], events: [sampleEvent('run_1', 2)] },
    ]);
    expect(await store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1), sampleEvent('run_1', 2)]);
  });
});

describe.skipIf(!hasPostgres)('PostgresStore when the server is down', () => {
  it('rejects calls, and opening, with a retryable storage error that names the server', async () => {
    const server = await startPostgres();
    const store = await PostgresStore.open(server.url, { connectTimeoutMs: 2_000 });
    try {
      await store.createRun(sampleRun('run_1'), [], []);
      await server.stop();
      for (const act of [
        () => store.getRun('run_1'),
        () => store.commit([{ runId: 'run_1', tasks: [], events: [sampleEvent('run_1', 1)] }]),
        () => store.loadRun('run_1'),
        () => store.claimRuns('worker-1', 1_000, 2_000),
        () => store.claimWork({ runId: 'run_1', taskKey: 'a', attempt: 1 }, 'worker-1', 1_000, 2_000),
        () => store.takeResults('worker-1'),
      ]) {
        const failure = await failureOf(act);
        expect(failure).toMatchObject({ code: 'STORAGE_FAILED', retryable: true });
        expect(failure.message).toMatch(/cannot reach PostgreSQL|is unavailable/);
      }
      const failure = await failureOf(() => PostgresStore.open(server.url, { connectTimeoutMs: 2_000 }));
      expect(failure).toMatchObject({ code: 'STORAGE_FAILED', retryable: true });
      expect(failure.message).toContain(
        `cannot reach PostgreSQL at 127.0.0.1:${server.port}/baton (ECONNREFUSED)`,
      );
    } finally {
      await store.close();
      await server.stop();
    }
  });
});
