import type Database from 'better-sqlite3';
import { StorageError } from '@baton/core';
import { initialSchema } from './migrations/0001-initial.js';
import { commandsAndBreakers } from './migrations/0002-commands-breakers.js';
import { agentRegistry } from './migrations/0003-agents.js';
import { openRequests } from './migrations/0004-open-requests.js';

/** One numbered schema change. Versions count up from 1 without gaps; a shipped migration never changes. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Add a file `migrations/NNNN-name.ts` and list it here. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  commandsAndBreakers,
  agentRegistry,
  openRequests,
];

/** `PRAGMA application_id` of a Baton database: "BATN". Tells our files from other SQLite files. */
export const BATON_APPLICATION_ID = 0x4241544e;

/**
 * Brings the database at `file` up to the newest schema and returns the versions it applied.
 *
 * The schema version lives in `PRAGMA user_version`, and each applied migration gets a row in
 * `baton_migrations`. Migrations run inside `BEGIN IMMEDIATE`, which takes the write lock, and the version is
 * read again under that lock: of two processes opening a new file at once, one migrates and the other waits
 * (up to the busy timeout), then finds nothing left to do. A failed migration rolls back whole.
 * A file with tables but no Baton id, or a schema newer than this code knows, is refused with a `StorageError`.
 */
export function migrate(db: Database.Database, file: string, migrations = MIGRATIONS): number[] {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  // Up to date needs no write lock: the common case, and it lets a second process open a busy file.
  if (check(db, file, latest) === latest) return [];
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = check(db, file, latest);
    const pending = migrations.filter((m) => m.version > current);
    if (pending.length > 0) {
      db.exec(
        'CREATE TABLE IF NOT EXISTS baton_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      db.pragma(`application_id = ${BATON_APPLICATION_ID}`);
    }
    const record = db.prepare('INSERT INTO baton_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of pending) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
      db.pragma(`user_version = ${migration.version}`);
    }
    db.exec('COMMIT');
    return pending.map((m) => m.version);
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** The schema version of the file, after checking that it is ours and not from a newer Baton. */
function check(db: Database.Database, file: string, latest: number): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const empty = version === 0 && applicationId === 0 && !hasTables(db);
  if (!empty && applicationId !== BATON_APPLICATION_ID) {
    throw new StorageError(
      `${file} is not a Baton database or is corrupt: it holds another application's data`,
    );
  }
  if (version > latest) {
    throw new StorageError(
      `${file} has schema version ${version}, newer than this Baton knows (${latest}); upgrade Baton to open it`,
    );
  }
  return version;
}

function hasTables(db: Database.Database): boolean {
  return db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get() !== undefined;
}
