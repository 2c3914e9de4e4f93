import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleAgent } from '@baton/testing';
import { MIGRATIONS, migrate } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

describe('SqliteStore agent registry', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-agents-'));
    path = join(dir, 'baton.db');
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds the agents table to a file of the schema before, and measures the tasks already there', async () => {
    const db = new Database(path);
    migrate(db, path, MIGRATIONS.slice(0, 2));
    db.exec(
      `INSERT INTO runs (id, workflow_id, workflow_version, status, priority, input, vars, cost_usd, created_at)
       VALUES ('run_1', 'invoice-review', '1.0.0', 'running', 50, '{}', '{}', 0, 1000);
       INSERT INTO tasks (run_id, key, node_id, status, attempt, agent, error, cost_usd, started_at, ended_at)
       VALUES ('run_1', 'draft', 'draft', 'failed', 1, 'a@1.0.0',
               '{"code":"TIMEOUT","message":"slow","retryable":true}', 0.5, 10, 15)`,
    );
    db.close();
    store = SqliteStore.open({ path });
    expect(store.info().schemaVersion).toBe(MIGRATIONS.at(-1)?.version);
    expect(await store.agentExecutions('a@1.0.0')).toEqual([
      {
        runId: 'run_1',
        taskKey: 'draft',
        status: 'failed',
        startedAt: 10,
        endedAt: 15,
        costUsd: 0.5,
        errorCode: 'TIMEOUT',
      },
    ]);
    await store.saveAgent(sampleAgent('a'));
    expect(await store.listAgents()).toEqual([sampleAgent('a')]);
  });

  it("reads an agent's executions through the agent index, newest first without sorting the table", () => {
    store = SqliteStore.open({ path });
    const db = new Database(path, { readonly: true });
    try {
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT run_id FROM tasks
           WHERE agent = ? AND ended_at IS NOT NULL AND started_at IS NOT NULL
             AND status IN ('succeeded', 'failed', 'cancelled')
           ORDER BY ended_at DESC, started_at DESC, run_id, key LIMIT ?`,
        )
        .all('a@1.0.0', 10) as { detail: string }[];
      const details = plan.map((row) => row.detail).join('\n');
      expect(details).toContain('USING INDEX tasks_agent_ended');
      expect(details).not.toContain('USE TEMP B-TREE FOR ORDER BY');
    } finally {
      db.close();
    }
  });
});
