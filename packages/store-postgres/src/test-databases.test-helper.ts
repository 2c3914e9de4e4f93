import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { postgresAvailable, requireService, startPostgres, type PostgresServer } from '@baton/test-services';

/** Whether the suites that need a server run here: skipped without PostgreSQL, failed under CI without it. */
export const hasPostgres = requireService(
  'PostgreSQL',
  postgresAvailable(),
  'install the postgresql package (Debian: apt-get install postgresql)',
);

/** A throwaway server for one test file, handing out a fresh database per test. */
export interface TestDatabases {
  readonly server: PostgresServer;
  /** Creates an empty database and returns its URL. */
  create(): Promise<string>;
  /**
   * The URL of one database the file's tests share, holding no rows: the store's tables are emptied (when they
   * exist) before it is handed out. Much cheaper per test than a new database.
   */
  empty(): Promise<string>;
  /** Drops a database made by `create`, closing whatever is still connected to it. */
  drop(url: string): Promise<void>;
  /** Runs SQL on a database outside any store, for checks and for setting up odd states. */
  sql<R extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]): Promise<R[]>;
}

/**
 * Starts one server for the file (`beforeAll`) and stops it after (`afterAll`), even when tests fail. Tests that
 * need a database the store has never seen (migrations) `create` one; the rest share one that is emptied
 * between tests.
 */
export function useTestDatabases(): TestDatabases {
  let server: PostgresServer | undefined;
  let admin: pg.Client | undefined;
  let count = 0;
  let shared: string | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    admin.on('error', () => undefined);
    await admin.connect();
  }, 60_000);
  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await server?.stop();
  });
  const ready = (): { server: PostgresServer; admin: pg.Client } => {
    if (server === undefined || admin === undefined) throw new Error('the test server is not running');
    return { server, admin };
  };
  const urlOf = (name: string): string => {
    const url = new URL(ready().server.url);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    get server() {
      return ready().server;
    },
    async create() {
      const { server: running, admin: client } = ready();
      const name = `test_${process.pid}_${++count}`;
      // FILE_COPY (15+) copies the template's files instead of logging every page: a few times faster.
      await client.query(`CREATE DATABASE ${name}${running.major >= 15 ? ' STRATEGY FILE_COPY' : ''}`);
      return urlOf(name);
    },
    async empty() {
      if (shared === undefined) return (shared = await this.create());
      // Deleting a few rows is faster than TRUNCATE, which makes new files for every table and index.
      await this.sql(
        shared,
        `DO $$ BEGIN
           IF to_regclass('work') IS NOT NULL THEN
             DELETE FROM work;
           END IF;
           IF to_regclass('agents') IS NOT NULL THEN
             DELETE FROM agents;
           END IF;
           IF to_regclass('run_commands') IS NOT NULL THEN
             DELETE FROM run_commands; DELETE FROM breakers;
           END IF;
           IF to_regclass('runs') IS NOT NULL THEN
             DELETE FROM events; DELETE FROM tasks; DELETE FROM runs; DELETE FROM workflows;
           END IF;
         END $$`,
      );
      return shared;
    },
    async drop(url) {
      const name = new URL(url).pathname.slice(1);
      await ready().admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    },
    async sql<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<R>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
  };
}
