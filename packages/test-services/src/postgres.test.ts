import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgresBinaries, postgresAvailable } from './postgres-binaries.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import { requireService } from './require-service.js';

const available = requireService('PostgreSQL', postgresAvailable(), 'install the postgresql package');

/** The cluster directories this process owns right now. */
function ownDirs(): string[] {
  const mine = `${hostname()} ${process.pid}`;
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith('baton-pg-'))
    .filter((name) => {
      const owner = join(tmpdir(), name, 'owner');
      return existsSync(owner) && readFileSync(owner, 'utf8').trim() === mine;
    });
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('postgresAvailable', () => {
  it('is false for a directory without the server binaries', () => {
    expect(findPostgresBinaries(tmpdir())).toBeUndefined();
    expect(postgresAvailable(tmpdir())).toBe(false);
  });
});

describe.skipIf(!available)('startPostgres', () => {
  let server: PostgresServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('starts a server with a fresh database on a loopback port and returns its URL', async () => {
    server = await startPostgres({ database: 'baton_test' });
    expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/baton_test`);
    expect(server.major).toBeGreaterThanOrEqual(14);
    const [row] = await query<{ db: string; fsync: string; version: string }>(
      server.url,
      "SELECT current_database() AS db, current_setting('fsync') AS fsync, current_setting('server_version_num') AS version",
    );
    expect(row).toMatchObject({ db: 'baton_test', fsync: 'off' });
    expect(Math.floor(Number(row?.version) / 10_000)).toBe(server.major);
    expect(ownDirs()).toHaveLength(1);
  });

  it('keeps committed data across a restart on the same port and breaks open connections', async () => {
    const url = server!.url;
    await query(url, 'CREATE TABLE kept (n integer); INSERT INTO kept VALUES (42)');
    const open = new pg.Client({ connectionString: url });
    open.on('error', () => {
      // The restart breaks this connection; the failed query below is what the test checks.
    });
    await open.connect();
    await server!.restart();
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await open.end().catch(() => undefined);
    expect(await query<{ n: number }>(url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
  });

  it('stops the server and deletes its directory; stopping again does nothing', async () => {
    const url = server!.url;
    await server!.stop();
    await server!.stop();
    await expect(query(url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    expect(ownDirs()).toEqual([]);
    await expect(server!.restart()).rejects.toThrow('the server was stopped');
  });
});
