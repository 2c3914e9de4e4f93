import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleEvent, sampleRun } from '@baton/testing';
import { BATON_APPLICATION_ID, MIGRATIONS, migrate } from './migrations.js';
import { DEFAULT_DATABASE_PATH, SqliteStore } from './sqlite-store.js';

/**
 * Stands in for another process that opens the same new file: it takes the write lock, applies the migrations
 * the way `migrate` does, tells the test it holds the lock, and commits `holdMs` later.
 */
const MIGRATING_PROCESS = `
const { workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');
const { path, migrations, applicationId, holdMs, signal } = workerData;
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.exec('BEGIN IMMEDIATE');
db.exec('CREATE TABLE baton_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
db.pragma('application_id = ' + applicationId);
for (const m of migrations) {
  db.exec(m.sql);
  db.prepare('INSERT INTO baton_migrations VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
  db.pragma('user_version = ' + m.version);
}
const flag = new Int32Array(signal);
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
db.exec('COMMIT');
db.close();
`;

/** The error `act` throws or rejects with; fails the test when there is none. */
async function failureOf(
  act: () => unknown,
): Promise<{ code?: unknown; retryable?: unknown; message: string }> {
  try {
    await act();
  } catch (error) {
    return error as { code?: unknown; retryable?: unknown; message: string };
  }
  throw new Error('expected a failure');
}

describe('SqliteStore.open', () => {
  let dir: string;
  let path: string;
  const stores: SqliteStore[] = [];
  const connections: Database.Database[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-open-'));
    path = join(dir, 'baton.db');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const db of connections.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const openStore = (options: Parameters<typeof SqliteStore.open>[0] = {}): SqliteStore => {
    const store = SqliteStore.open({ path, ...options });
    stores.push(store);
    return store;
  };
  const raw = (): Database.Database => {
    const db = new Database(path, { timeout: 0 });
    connections.push(db);
    return db;
  };

  it('applies every migration once and records each', async () => {
    await openStore().close();
    await openStore().close();
    const db = raw();
    expect(db.prepare('SELECT version, name FROM baton_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.pragma('application_id', { simple: true })).toBe(BATON_APPLICATION_ID);
    expect(migrate(db, path)).toEqual([]);
  });

  it('waits for another process migrating a new file and then applies nothing twice', async () => {
    const signal = new SharedArrayBuffer(4);
    const migrations = MIGRATIONS.map(({ version, name, sql }) => ({ version, name, sql }));
    const worker = new Worker(MIGRATING_PROCESS, {
      eval: true,
      workerData: { path, migrations, applicationId: BATON_APPLICATION_ID, holdMs: 300, signal },
    });
    const exited = new Promise((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    expect(Atomics.wait(new Int32Array(signal), 0, 0, 10_000)).not.toBe('timed-out');

    const store = openStore();
    await exited;
    await store.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
    expect(await store.getRun('run_1')).toEqual(sampleRun('run_1'));
    expect(raw().prepare('SELECT count(*) AS n FROM baton_migrations').get()).toEqual({
      n: MIGRATIONS.length,
    });
  });

  it('refuses a corrupt file with a storage error that names it', async () => {
    writeFileSync(path, randomBytes(8192));
    const error = await failureOf(() => openStore());
    expect(error.code).toBe('STORAGE_FAILED');
    expect(error.message).toContain(`${path} is not a Baton database or is corrupt: `);
  });

  it("refuses another application's SQLite file without touching it", () => {
    raw().exec('CREATE TABLE contacts (name TEXT)');
    expect(() => openStore()).toThrow(`${path} is not a Baton database or is corrupt`);
    expect(raw().pragma('user_version', { simple: true })).toBe(0);
  });

  it('refuses a file written by a newer Baton', async () => {
    await openStore().close();
    raw().pragma('user_version = 999');
    expect(() => openStore()).toThrow(/schema version 999, newer than this Baton knows/);
  });

  it('fails with a locked storage error when another process holds the write lock of a new file', async () => {
    const other = raw();
    other.exec('CREATE TABLE hold (x)');
    other.exec('BEGIN EXCLUSIVE');
    other.exec('INSERT INTO hold VALUES (1)');
    const error = await failureOf(() => openStore({ busyTimeoutMs: 20 }));
    expect(error).toMatchObject({ code: 'STORAGE_FAILED', retryable: true });
    expect(error.message).toContain(`the data file ${path} is locked by another process (`);
    other.exec('ROLLBACK');
  });

  it('opens a file another process is writing, and fails a commit with a locked error keeping nothing', async () => {
    await openStore().close();
    const store = openStore({ busyTimeoutMs: 20 });
    await store.createRun(sampleRun('run_1'), [], []);
    const other = raw();
    other.exec('BEGIN IMMEDIATE');
    const step = { runId: 'run_1', run: { costUsd: 1 }, tasks: [], events: [sampleEvent('run_1', 1)] };
    const error = await failureOf(() => store.commit([step]));
    expect(error.code).toBe('STORAGE_FAILED');
    expect(error.message).toContain('is locked by another process');
    other.exec('ROLLBACK');
    expect(await store.getRun('run_1')).toEqual(sampleRun('run_1'));
    await store.commit([step]);
    expect(await store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1)]);
  });

  it('refuses a path whose directory does not exist, and creates nothing', async () => {
    const missing = join(dir, 'no', 'such', 'dir', 'baton.db');
    const error = await failureOf(() => SqliteStore.open({ path: missing }));
    expect(error.code).toBe('STORAGE_FAILED');
    expect(error.message).toContain(`the directory ${join(dir, 'no', 'such', 'dir')} does not exist`);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('creates the directory of the default path', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = SqliteStore.open();
      expect(store.info().path).toBe(DEFAULT_DATABASE_PATH);
      await store.close();
      expect(existsSync(join(dir, DEFAULT_DATABASE_PATH))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('keeps everything in memory for the path :memory:', async () => {
    const store = SqliteStore.open({ path: ':memory:' });
    stores.push(store);
    await store.createRun(sampleRun('run_1'), [], []);
    expect(await store.getRun('run_1')).toEqual(sampleRun('run_1'));
  });
});
