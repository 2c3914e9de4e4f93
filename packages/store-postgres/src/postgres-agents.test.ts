import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleAgent } from '@baton/testing';
import { MIGRATIONS, migrate } from './migrations.js';
import { agentRegistry } from './migrations/0005-agents.js';
import { PostgresStore } from './postgres-store.js';
import { hasPostgres, useTestDatabases } from './test-databases.test-helper.js';

describe.skipIf(!hasPostgres)('PostgresStore agent registry', () => {
  const databases = useTestDatabases();
  let store: PostgresStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('adds the agents table to a database of the schema before, and measures the tasks already there', async () => {
    const url = await databases.create();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(
        client,
        'test',
        MIGRATIONS.filter((m) => m.version < agentRegistry.version),
      );
      await client.query(
        `INSERT INTO runs (id, workflow_id, workflow_version, status, priority, input, vars, cost_usd, created_at)
         VALUES ('run_1', 'invoice-review', '1.0.0', 'running', 50, '{}', '{}', 0, 1000);
         INSERT INTO tasks (run_id, key, node_id, status, attempt, agent, error, cost_usd, started_at, ended_at)
         VALUES ('run_1', 'draft', 'draft', 'failed', 1, 'a@1.0.0',
                 '{"code": "TIMEOUT", "message": "slow", "retryable": true}', 0.5, 10, 15)`,
      );
    } finally {
      await client.end();
    }
    store = await PostgresStore.open(url);
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
    expect(await store.agentUsage()).toEqual([{ agent: 'a@1.0.0', tasks: 1, runs: 1, lastUsedAt: 15 }]);
    await store.saveAgent(sampleAgent('a'));
    expect(await store.listAgents()).toEqual([sampleAgent('a')]);
  });

  it('stamps a saved row with the time of its last save', async () => {
    const url = await databases.empty();
    store = await PostgresStore.open(url);
    await store.saveAgent(sampleAgent('a'));
    const [first] = await databases.sql<{ updated_at: Date }>(url, 'SELECT updated_at FROM agents');
    await store.saveAgent(sampleAgent('a', '1.0.0', { status: 'deprecated' }));
    const [second] = await databases.sql<{ updated_at: Date }>(url, 'SELECT updated_at FROM agents');
    expect(second!.updated_at.getTime()).toBeGreaterThan(first!.updated_at.getTime());
  });
});
