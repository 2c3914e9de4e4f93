import { StorageError } from '@baton/core';
import { initialSchema } from './migrations/0001-initial.js';
import { workOutbox } from './migrations/0002-work.js';
import { commandsAndBreakers } from './migrations/0003-commands-breakers.js';
import { rollbackStatuses } from './migrations/0004-rollback-statuses.js';
import { agentRegistry } from './migrations/0005-agents.js';
import { openRequests } from './migrations/0006-open-requests.js';

/** One numbered schema change. Versions count up from 1 without gaps; a shipped migration never changes. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Add a file `migrations/NNNN-name.ts` and list it here. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  workOutbox,
  commandsAndBreakers,
  rollbackStatuses,
  agentRegistry,
  openRequests,
];

/**
 * The advisory lock key that serialises migrations: the bytes of "BATNMIGR" as a bigint. Advisory locks are
 * per database, so every Baton process opening the same database waits on the same key.
 */
export const MIGRATION_LOCK_KEY = '4774189775270266706';

/** The part of a connection the migrations need: one session that can run a transaction. */
export interface MigrationSession {
  query<R extends object>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Brings the database up to the newest schema and returns the versions it applied (empty when it was current).
 *
 * Everything happens in one transaction that first takes a transaction-level advisory lock: of two processes
 * opening a new database at once, one migrates while the other waits on the lock, then reads the version the
 * first committed and finds nothing left to do. PostgreSQL's DDL is transactional, so a failed migration
 * leaves no trace, and the lock goes away with the transaction even if the process dies mid-way.
 * A schema newer than this code knows is refused with a `StorageError`.
 */
export async function migrate(
  session: MigrationSession,
  where: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  await session.query('BEGIN');
  try {
    await session.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await session.query(
      `CREATE TABLE IF NOT EXISTS baton_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await session.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM baton_migrations',
    );
    const current = rows[0]?.version ?? 0;
    if (current > latest) {
      throw new StorageError(
        `the database at ${where} has schema version ${current}, newer than this Baton knows (${latest}); upgrade Baton to use it`,
      );
    }
    const pending = migrations.filter((m) => m.version > current);
    for (const migration of pending) {
      await session.query(migration.sql);
      await session.query('INSERT INTO baton_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    await session.query('COMMIT');
    return pending.map((m) => m.version);
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
