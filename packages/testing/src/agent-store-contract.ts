import { describe, expect, it } from 'vitest';
import type { AgentExecution, AgentStore, Store, TaskRecord } from '@baton/core';
import { sampleAgent, sampleRun, sampleTask } from './store-fixtures.js';
import { sortedBy, useStoreFixture, type MakeStore } from './store-harness.js';

const NO_REOPEN = 'the store keeps nothing across a restart (its fixture has no reopen)';

/** A settled attempt of `agent` in task `key`, started at `startedAt` and taking `took` ms. */
function settled(
  runId: string,
  key: string,
  agent: string,
  startedAt: number,
  took: number,
  overrides: Partial<TaskRecord> = {},
): TaskRecord {
  return sampleTask(runId, key, {
    status: 'succeeded',
    agent,
    startedAt,
    endedAt: startedAt + took,
    costUsd: 0.25,
    ...overrides,
  });
}

/** The execution `agentExecutions` should return for a task row made by {@link settled}. */
function execution(task: TaskRecord): AgentExecution {
  return {
    runId: task.runId,
    taskKey: task.key,
    status: task.status as AgentExecution['status'],
    startedAt: task.startedAt!,
    endedAt: task.endedAt!,
    costUsd: task.costUsd,
    ...(task.status === 'failed' && task.error ? { errorCode: task.error.code } : {}),
  };
}

/**
 * Registers the `AgentStore` contract suite for a store that keeps the agent registry: definitions saved whole
 * by `id@version` and listed in the registry's order, and the executions and usage read from the task rows
 * the store commits. Stores that implement it run it beside the `Store` contract.
 */
export function agentStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} satisfies the AgentStore contract`, () => {
    const h = useStoreFixture(makeStore);
    const store = (): Store & AgentStore => h.store as Store & AgentStore;

    it('lists nothing, measures nothing and counts nothing when empty', async () => {
      expect(await store().listAgents()).toEqual([]);
      expect(await store().agentExecutions('a@1.0.0')).toEqual([]);
      expect(await store().agentUsage()).toEqual([]);
    });

    it('lists every saved version: ids alphabetically, versions newest first', async () => {
      for (const [id, version] of [
        ['b.agent', '1.0.0'],
        ['a.agent', '1.9.0'],
        ['a.agent', '2.0.0-rc.1'],
        ['a.agent', '1.10.0'],
      ] as const) {
        await store().saveAgent(sampleAgent(id, version));
      }
      expect((await store().listAgents()).map((a) => `${a.id}@${a.version}`)).toEqual([
        'a.agent@2.0.0-rc.1',
        'a.agent@1.10.0',
        'a.agent@1.9.0',
        'b.agent@1.0.0',
      ]);
    });

    it('keeps exactly what was saved: settings, schemas and text of any kind', async () => {
      const agent = sampleAgent('acme.http', '1.0.0', {
        kind: 'http',
        description: 'Ünïcode, "quotes", a NUL \u0000 and a lone \uD800 surrogate',
        settings: {
          url: 'https://example.com/agent',
          headers: { 'x-key': '{{ secrets.key }}' },
          retries: [1, null],
        },
        inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
        status: 'beta',
      });
      await store().saveAgent(agent);
      expect(await store().listAgents()).toStrictEqual([agent]);
    });

    it('replaces the definition of an id and version whole', async () => {
      const deprecated = sampleAgent('a', '1.0.0', {
        status: 'deprecated',
        deprecatedAt: '2026-02-01T00:00:00Z',
        replacedBy: 'a@2.0.0',
      });
      await store().saveAgent(deprecated);
      await store().saveAgent(sampleAgent('a', '2.0.0'));
      expect((await store().listAgents())[1]).toStrictEqual(deprecated);
      const restored = sampleAgent('a', '1.0.0', { status: 'active', description: 'back' });
      await store().saveAgent(restored);
      expect(await store().listAgents()).toStrictEqual([sampleAgent('a', '2.0.0'), restored]);
    });

    it('returns copies: changing what was saved or read changes nothing stored', async () => {
      const agent = sampleAgent('a');
      await store().saveAgent(agent);
      agent.capabilities.skills.push('changed');
      const [read] = await store().listAgents();
      read!.name = 'changed too';
      expect(await store().listAgents()).toStrictEqual([sampleAgent('a')]);
    });

    it('keeps saved agents across a reopen', async (context) => {
      const reopen = h.reopen;
      if (reopen === undefined) return context.skip(NO_REOPEN);
      await store().saveAgent(sampleAgent('a', '1.0.0', { status: 'offline' }));
      const again = (await reopen()) as Store & AgentStore;
      expect(await again.listAgents()).toStrictEqual([sampleAgent('a', '1.0.0', { status: 'offline' })]);
    });

    it('returns the settled tasks of one agent version newest first, with cost and the code of failures', async () => {
      const ok = settled('r1', 'draft', 'a@1.0.0', 1_000, 50);
      const failed = settled('r1', 'review', 'a@1.0.0', 2_000, 10, {
        status: 'failed',
        error: { code: 'AGENT_FAILED', message: 'upstream said no', retryable: false },
        costUsd: 0,
      });
      const cancelled = settled('r2', 'draft', 'a@1.0.0', 1_500, 20, {
        status: 'cancelled',
        error: { code: 'CANCELLED', message: 'cancelled by ana', retryable: false },
      });
      await store().createRun(sampleRun('r1'), [ok, failed], []);
      await store().createRun(sampleRun('r2'), [cancelled], []);
      expect(await store().agentExecutions('a@1.0.0')).toStrictEqual([
        execution(failed),
        execution(cancelled),
        execution(ok),
      ]);
      expect(await store().agentExecutions('a@1.0.0', 2)).toStrictEqual([
        execution(failed),
        execution(cancelled),
      ]);
    });

    it('leaves out tasks that are not settled, never started or ran another agent version', async () => {
      const counted = settled('r1', 'counted', 'a@1.0.0', 1_000, 5);
      await store().createRun(
        sampleRun('r1'),
        [
          counted,
          sampleTask('r1', 'running', { status: 'running', agent: 'a@1.0.0', startedAt: 2_000 }),
          sampleTask('r1', 'waiting', { status: 'waiting', agent: 'a@1.0.0', startedAt: 2_000 }),
          settled('r1', 'skipped', 'a@1.0.0', 2_000, 5, { status: 'skipped' }),
          sampleTask('r1', 'unstarted', { status: 'cancelled', agent: 'a@1.0.0', endedAt: 3_000 }),
          settled('r1', 'other-version', 'a@1.1.0', 4_000, 5),
          settled('r1', 'other-agent', 'b@1.0.0', 4_000, 5),
          sampleTask('r1', 'no-agent', { status: 'succeeded', startedAt: 4_000, endedAt: 4_005 }),
        ],
        [],
      );
      expect(await store().agentExecutions('a@1.0.0')).toStrictEqual([execution(counted)]);
      expect(await store().agentExecutions('a')).toStrictEqual([]);
    });

    it('measures the latest attempt of a task, whose row replaced the one before', async () => {
      const first = settled('r1', 'draft', 'a@1.0.0', 1_000, 5, {
        status: 'failed',
        error: { code: 'TIMEOUT', message: 'took too long', retryable: true },
      });
      await store().createRun(sampleRun('r1'), [first], []);
      const second = settled('r1', 'draft', 'a@1.0.0', 2_000, 5, { attempt: 2 });
      await store().commit([{ runId: 'r1', tasks: [second], events: [] }]);
      expect(await store().agentExecutions('a@1.0.0')).toStrictEqual([execution(second)]);
      expect(await store().agentUsage()).toEqual([
        { agent: 'a@1.0.0', tasks: 1, runs: 1, lastUsedAt: 2_005 },
      ]);
    });

    it('returns at most 1,000 executions when no limit is given, the newest', async () => {
      const tasks = Array.from({ length: 1_001 }, (_, i) =>
        settled('r1', `t${String(i).padStart(4, '0')}`, 'a@1.0.0', 10_000 + i, 1),
      );
      await store().createRun(sampleRun('r1'), tasks, []);
      const executions = await store().agentExecutions('a@1.0.0');
      expect(executions).toHaveLength(1_000);
      expect(executions[0]).toStrictEqual(execution(tasks[1_000]!));
      expect(executions.at(-1)).toStrictEqual(execution(tasks[1]!));
    });

    it('counts, per agent version, the tasks ever dispatched to it, their runs and when it was last used', async () => {
      await store().createRun(
        sampleRun('r1'),
        [
          settled('r1', 'a1', 'a@1.0.0', 1_000, 100),
          settled('r1', 'a2', 'a@1.0.0', 1_200, 10, { status: 'failed' }),
          sampleTask('r1', 'b1', { status: 'running', agent: 'b@2.0.0', startedAt: 5_000 }),
          sampleTask('r1', 'plain', { status: 'succeeded', startedAt: 9_000, endedAt: 9_001 }),
        ],
        [],
      );
      await store().createRun(
        sampleRun('r2'),
        [settled('r2', 'a1', 'a@1.0.0', 3_000, 7), settled('r2', 'b1', 'b@2.0.0', 100, 1)],
        [],
      );
      expect(sortedBy(await store().agentUsage(), 'agent')).toEqual([
        { agent: 'a@1.0.0', tasks: 3, runs: 2, lastUsedAt: 3_007 },
        { agent: 'b@2.0.0', tasks: 2, runs: 2, lastUsedAt: 5_000 },
      ]);
    });
  });
}
