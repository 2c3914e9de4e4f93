import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleEvent, sampleRun } from '@baton/testing';
import { MIGRATIONS, migrate } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

describe('SqliteStore commands and breakers', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-commands-'));
    path = join(dir, 'baton.db');
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  /** Runs SQL on the file outside the store, as another tool would. */
  const sql = (text: string): void => {
    const db = new Database(path);
    try {
      db.exec(text);
    } finally {
      db.close();
    }
  };

  it('adds the inbox and breaker tables to a file of the first schema, keeping its runs', async () => {
    const db = new Database(path);
    migrate(db, path, MIGRATIONS.slice(0, 1));
    db.close();
    store = SqliteStore.open({ path });
    expect(store.info().schemaVersion).toBe(MIGRATIONS.at(-1)?.version);
    await store.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
    const id = await store.enqueueCommand('run_1', { type: 'pause' }, 1_000);
    expect(await store.runCommands('run_1')).toEqual([
      { id, runId: 'run_1', input: { type: 'pause' }, at: 1_000 },
    ]);
  });

  it('never gives a deleted command id to a new command', async () => {
    store = SqliteStore.open({ path });
    const first = await store.enqueueCommand('run_1', { type: 'pause' }, 1_000);
    await store.close();
    sql('DELETE FROM run_commands');
    store = SqliteStore.open({ path });
    expect(await store.enqueueCommand('run_1', { type: 'resume' }, 2_000)).toBeGreaterThan(first);
  });

  it('rejects with a storage error when a stored command or result is not JSON', async () => {
    store = SqliteStore.open({ path });
    const id = await store.enqueueCommand('run_1', { type: 'pause' }, 1_000);
    await store.close();
    sql(`UPDATE run_commands SET input = '{broken', settled_at = 5, result = 'nope' WHERE id = ${id}`);
    sql(`INSERT INTO run_commands (run_id, input, at) VALUES ('run_1', '{broken', 6)`);
    store = SqliteStore.open({ path });
    await expect(store.commandResult(id)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await expect(store.pendingCommands()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
  });
});
