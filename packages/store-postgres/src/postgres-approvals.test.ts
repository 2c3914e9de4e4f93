import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalRequested } from '@baton/core';
import { sampleRun, sampleTask } from '@baton/testing';
import { MIGRATIONS, migrate } from './migrations.js';
import { openRequests } from './migrations/0006-open-requests.js';
import { PostgresStore } from './postgres-store.js';
import { hasPostgres, useTestDatabases } from './test-databases.test-helper.js';

const asked = (runId: string, taskKey: string, seq: number, assignee = 'ana'): ApprovalRequested => ({
  type: 'approval.requested',
  runId,
  seq,
  at: 2_000 + seq,
  taskKey,
  nodeId: taskKey,
  assignee,
  message: `Pay ${taskKey}? \u0000 nul and a lone \uD800`,
  options: ['approved', 'rejected'],
  urgency: 'medium',
});

describe.skipIf(!hasPostgres)('PostgresStore open requests', () => {
  const databases = useTestDatabases();
  let store: PostgresStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('takes in the requests already open in a database of the schema before, from the event log', async () => {
    const url = await databases.create();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(
        client,
        'test',
        MIGRATIONS.filter((m) => m.version < openRequests.version),
      );
      await client.query(
        `INSERT INTO runs (id, workflow_id, workflow_version, status, priority, input, vars, cost_usd, created_at)
         VALUES ('run_1', 'pay', '1.0.0', 'waiting', 50, '{}', '{}', 0, 1000),
                ('run_2', 'pay', '1.0.0', 'cancelled', 50, '{}', '{}', 0, 1000);
         INSERT INTO tasks (run_id, key, node_id, status, attempt, cost_usd)
         VALUES ('run_1', 'a', 'a', 'waiting', 1, 0), ('run_1', 'b', 'b', 'waiting', 1, 0),
                ('run_1', 'c', 'c', 'waiting', 1, 0), ('run_2', 'a', 'a', 'waiting', 1, 0);
         INSERT INTO events (run_id, seq, type, at, body) VALUES
           ('run_1', 1, 'approval.requested', 2000, '{"taskKey": "a", "nodeId": "a", "assignee": "ana", "message": "Pay?", "options": ["approved"], "urgency": "low"}'),
           ('run_1', 2, 'approval.requested', 2001, '{"taskKey": "b", "nodeId": "b", "assignee": "bo", "message": "Pay?", "options": ["approved"], "urgency": "low"}'),
           ('run_1', 3, 'approval.decided', 2002, '{"taskKey": "b", "nodeId": "b", "decision": "approved", "by": "ana", "auto": false}'),
           ('run_1', 4, 'approval.requested', 2003, '{"taskKey": "c", "nodeId": "c", "assignee": "bo", "message": "Pay?", "options": ["approved"], "urgency": "low"}'),
           ('run_1', 5, 'approval.requested', 2004, '{"taskKey": "c", "nodeId": "c", "assignee": "cy", "message": "Pay?", "options": ["approved"], "urgency": "low"}'),
           ('run_2', 1, 'approval.requested', 2000, '{"taskKey": "a", "nodeId": "a", "assignee": "ana", "message": "Pay?", "options": ["approved"], "urgency": "low"}')`,
      );
    } finally {
      await client.end();
    }
    store = await PostgresStore.open(url);
    const open = await store.openRequests();
    expect(open.map((r) => [r.runId, r.taskKey, r.request.seq, r.request.assignee])).toEqual([
      ['run_1', 'a', 1, 'ana'],
      ['run_1', 'c', 5, 'cy'],
    ]);
    expect(open[0]?.request).toStrictEqual({
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
    });
    expect(await store.openRequests({ assignee: 'cy', runId: 'run_1' })).toHaveLength(1);
  });

  it('opens, replaces and closes requests in the one round trip of a group commit', async () => {
    store = await PostgresStore.open(await databases.empty());
    const runs = Array.from({ length: 20 }, (_, i) => `run_${i}`);
    let before = store.stats();
    await store.commit(
      runs.map((runId) => ({
        runId,
        run: { status: 'waiting' },
        tasks: [sampleTask(runId, 'a', { status: 'waiting' })],
        events: [asked(runId, 'a', 1)],
      })),
      runs.map((runId) => ({ run: sampleRun(runId), tasks: [], events: [] })),
    );
    expect(store.stats().commitRoundTrips - before.commitRoundTrips).toBe(1);
    expect(await store.openRequests()).toHaveLength(20);

    before = store.stats();
    await store.commit([
      { runId: 'run_0', run: { status: 'cancelled' }, tasks: [], events: [] },
      {
        runId: 'run_1',
        tasks: [sampleTask('run_1', 'a', { status: 'succeeded' })],
        events: [
          {
            type: 'approval.decided',
            runId: 'run_1',
            seq: 2,
            at: 3_000,
            taskKey: 'a',
            nodeId: 'a',
            decision: 'approved',
            by: 'ana',
            auto: false,
          },
        ],
      },
      { runId: 'run_2', tasks: [], events: [asked('run_2', 'a', 2, 'bo')] },
    ]);
    const after = store.stats();
    expect(after.commitRoundTrips - before.commitRoundTrips).toBe(1);
    expect(after.roundTrips - before.roundTrips).toBe(1);
    const open = await store.openRequests();
    expect(open).toHaveLength(18);
    expect(open.find((r) => r.runId === 'run_2')?.request).toStrictEqual(asked('run_2', 'a', 2, 'bo'));
  });
});
