import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenRequestQuery } from '@baton/core';
import { MIGRATIONS, migrate } from './migrations.js';
import { openRequestsParams, openRequestsSql } from './sqlite-approvals.js';
import { SqliteStore } from './sqlite-store.js';

const RUN = `INSERT INTO runs (id, workflow_id, workflow_version, status, priority, input, vars, cost_usd, created_at)
             VALUES (?, 'pay', '1.0.0', ?, 50, '{}', '{}', 0, 1000)`;
const TASK = `INSERT INTO tasks (run_id, key, node_id, status, attempt, cost_usd) VALUES (?, ?, ?, 'waiting', 1, 0)`;
const EVENT = 'INSERT INTO events (run_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)';

const asked = (taskKey: string, assignee: string): string =>
  JSON.stringify({
    taskKey,
    nodeId: taskKey,
    assignee,
    message: 'Pay?',
    options: ['approved'],
    urgency: 'low',
  });
const answered = (taskKey: string): string =>
  JSON.stringify({ taskKey, nodeId: taskKey, decision: 'approved', by: 'ana', auto: false });

describe('SqliteStore open requests', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-approvals-'));
    path = join(dir, 'baton.db');
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes in the requests already open in a file of the schema before, from the event log', async () => {
    const db = new Database(path);
    migrate(db, path, MIGRATIONS.slice(0, 3));
    db.prepare(RUN).run('run_1', 'waiting');
    db.prepare(RUN).run('run_2', 'cancelled');
    for (const [run, key] of [
      ['run_1', 'a'],
      ['run_1', 'b'],
      ['run_1', 'c'],
      ['run_2', 'a'],
    ] as const) {
      db.prepare(TASK).run(run, key, key);
    }
    const log: [string, number, string, number, string][] = [
      ['run_1', 1, 'approval.requested', 2_000, asked('a', 'ana')],
      ['run_1', 2, 'approval.requested', 2_001, asked('b', 'bo')],
      ['run_1', 3, 'approval.decided', 2_002, answered('b')],
      ['run_1', 4, 'approval.requested', 2_003, asked('c', 'bo')],
      ['run_1', 5, 'approval.requested', 2_004, asked('c', 'cy')],
      ['run_2', 1, 'approval.requested', 2_000, asked('a', 'ana')],
    ];
    for (const entry of log) db.prepare(EVENT).run(...entry);
    db.close();

    store = SqliteStore.open({ path });
    expect(store.info().schemaVersion).toBe(MIGRATIONS.at(-1)?.version);
    const open = await store.openRequests();
    expect(open.map((r) => [r.runId, r.taskKey, r.request.seq, r.request.assignee])).toEqual([
      ['run_1', 'a', 1, 'ana'],
      ['run_1', 'c', 5, 'cy'],
    ]);
    expect(open[0]).toStrictEqual({
      runId: 'run_1',
      workflowId: 'pay',
      workflowVersion: '1.0.0',
      taskKey: 'a',
      afterFailure: false,
      request: {
        type: 'approval.requested',
        runId: 'run_1',
        seq: 1,
        at: 2_000,
        taskKey: 'a',
        nodeId: 'a',
        assignee: 'ana',
        message: 'Pay?',
        options: ['approved'],
        urgency: 'low',
      },
    });
  });

  it.each([
    ['all requests', {}, 'open_requests_time'],
    ["one assignee's", { assignee: 'ana' }, 'open_requests_assignee'],
    ['a page after a cursor', { after: { requestedAt: 1, runId: 'r', taskKey: 'k' } }, 'open_requests_time'],
    [
      "one assignee's page",
      { assignee: 'ana', after: { requestedAt: 1, runId: 'r', taskKey: 'k' } },
      'open_requests_assignee',
    ],
  ])('lists %s by walking an index in order, stopping at the limit', (_, query: OpenRequestQuery, index) => {
    store = SqliteStore.open({ path });
    const db = new Database(path, { readonly: true });
    try {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${openRequestsSql(query)}`)
        .all(...openRequestsParams({ ...query, limit: 10 })) as { detail: string }[];
      const details = plan.map((row) => row.detail).join('\n');
      expect(details).toMatch(new RegExp(`^SCAN o USING INDEX ${index}|^SEARCH o USING INDEX ${index}`));
      expect(details).not.toContain('USE TEMP B-TREE FOR ORDER BY');
      expect(details).toContain('SEARCH t USING INDEX sqlite_autoindex_tasks_1');
      expect(details).toContain('SEARCH r USING INDEX sqlite_autoindex_runs_1');
    } finally {
      db.close();
    }
  });
});
