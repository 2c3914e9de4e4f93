import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError, type RunEvent } from '@baton/core';
import { seededRandom } from '@baton/testing';
import { createBaton } from './create-baton.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
});

describe('error recovery', () => {
  it('completes at least 99.9% of 1,000 runs whose agents fail transiently 30% of the time', async () => {
    // Seeded, so every run of this test fails the same calls.
    const random = seededRandom(2026);
    let calls = 0;
    let failures = 0;
    const flaky = (step: string) => ({
      definition: functionAgent(`t.${step}`),
      handler: () => {
        calls++;
        if (random() < 0.3) {
          failures++;
          throw new AgentError(`${step}: upstream hiccup`, { retryable: true });
        }
        return { step };
      },
    });
    const { baton, dispose } = await tempBaton({ agents: [flaky('fetch'), flaky('score')] });
    disposers.push(dispose);
    const retry = { maxRetries: 6, backoff: 'exponential', initialDelayMs: 1, maxDelayMs: 20, jitter: 0.2 };
    const workflow = baton.parseWorkflow({
      id: 'flaky-chain',
      name: 'Flaky chain',
      version: '1.0.0',
      nodes: [
        { id: 'fetch', type: 'agent', agent: { id: 't.fetch' }, retry },
        { id: 'score', type: 'agent', agent: { id: 't.score' }, retry },
      ],
      edges: [{ from: 'fetch', to: 'score' }],
      outputs: { score: { value: 'nodes.score.output.step' } },
    });
    const runs = await Promise.all(Array.from({ length: 1000 }, () => baton.run(workflow)));
    const completed = runs.filter((r) => r.status === 'completed');
    expect(completed.length / runs.length).toBeGreaterThanOrEqual(0.999);
    expect(completed.every((r) => r.output?.score === 'score')).toBe(true);
    // The agents really failed about 30% of the time, and the retries absorbed it.
    expect(failures / calls).toBeGreaterThan(0.25);
    expect(failures / calls).toBeLessThan(0.35);
    // Transient failures at 30% never trip a breaker (it trips at 50%).
    expect(baton.agentHealth().filter((b) => b.state !== 'closed')).toEqual([]);
  }, 60_000);

  it('opens the breaker of a permanently failing agent within its window; the fallback serves the rest', async () => {
    let primaryCalls = 0;
    let backupCalls = 0;
    const agents = [
      {
        definition: functionAgent('t.primary'),
        handler: () => {
          primaryCalls++;
          throw new AgentError('the service is down', { retryable: true });
        },
      },
      {
        definition: functionAgent('t.backup'),
        handler: () => {
          backupCalls++;
          return { by: 'backup' };
        },
      },
    ];
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-breaker-'));
    disposers.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
    const baton = await createBaton({ dataDir, agents });
    const workflow = baton.parseWorkflow({
      id: 'with-fallback',
      name: 'With fallback',
      version: '1.0.0',
      nodes: [
        {
          id: 'work',
          type: 'agent',
          agent: { id: 't.primary' },
          fallbacks: [{ id: 't.backup' }],
          retry: { maxRetries: 0 },
        },
      ],
      outputs: { by: { value: 'nodes.work.output.by' } },
    });
    const events: RunEvent[] = [];
    baton.subscribe('*', (event) => events.push(event));
    const changes: string[] = [];
    baton.onBreakerChange((change) => changes.push(`${change.agent} ${change.from}→${change.to}`));
    const runs = [];
    for (let i = 0; i < 30; i++) runs.push(await baton.run(workflow));
    expect(runs.map((r) => r.output?.by)).toEqual(runs.map(() => 'backup'));
    // The default policy trips once 10 calls in the window show the agent failing at least half the time:
    // from the 11th run on the primary is not called at all.
    expect(primaryCalls).toBe(10);
    expect(backupCalls).toBe(30);
    expect(changes).toEqual(['t.primary@1.0.0 closed→open']);
    const reasons = events.flatMap((e) => (e.type === 'task.recovery' ? [e.reason] : []));
    expect(reasons.slice(0, 10).every((r) => r.startsWith('AGENT_FAILED: the service is down'))).toBe(true);
    expect(reasons.slice(10)).toEqual(Array(20).fill('circuit breaker of t.primary@1.0.0 is open'));
    expect(baton.agentHealth()).toEqual([
      expect.objectContaining({ agent: 't.primary@1.0.0', state: 'open', health: 'offline', trips: 1 }),
      expect.objectContaining({ agent: 't.backup@1.0.0', state: 'closed', health: 'active' }),
    ]);

    // The open breaker survives a restart: a new process on the store does not call the primary either.
    await baton.close();
    const reopened = await createBaton({ dataDir, agents });
    try {
      const run = await reopened.run(workflow);
      expect(run.output).toEqual({ by: 'backup' });
      expect(primaryCalls).toBe(10);
      expect(reopened.agentHealth().find((b) => b.agent === 't.primary@1.0.0')?.state).toBe('open');
    } finally {
      await reopened.close();
    }
  });

  it('escalates a failure to a person when the workflow has a human in the loop', async () => {
    let fixed = false;
    const { baton, dispose } = await tempBaton({
      agents: [
        {
          definition: functionAgent('t.fragile'),
          handler: () => {
            if (!fixed) throw new AgentError('bad credentials', { retryable: false });
            return { ok: true };
          },
        },
      ],
    });
    disposers.push(dispose);
    const workflow = baton.parseWorkflow({
      id: 'escalating',
      name: 'Escalating',
      version: '1.0.0',
      nodes: [
        { id: 'a', type: 'agent', agent: { id: 't.fragile' } },
        { id: 'b', type: 'agent', agent: { id: 't.fragile' } },
      ],
      edges: [{ from: 'a', to: 'b' }],
      policies: { escalation: { assignee: 'ops-lead' } },
    });
    const run = await baton.startRun(workflow);
    await until(async () => (await baton.getRun(run.id))?.run.status === 'waiting');
    await expect(baton.decide(run.id, 'a', 'approved', 'ana')).rejects.toThrow(/retry, skip, abort/);
    fixed = true;
    await baton.retryTask(run.id, 'a', { by: 'ana', reason: 'rotated the key' });
    await until(
      async () => (await baton.getRun(run.id))?.tasks.find((t) => t.key === 'b')?.status === 'succeeded',
    );
    const done = await baton.waitForRun(run.id);
    expect(done.status).toBe('completed');
    const events = await baton.readEvents(run.id);
    expect(events.find((e) => e.type === 'approval.requested')).toMatchObject({
      assignee: 'ops-lead',
      options: ['retry', 'skip', 'abort'],
    });
    expect(events.find((e) => e.type === 'operator.acted')).toMatchObject({
      command: 'task.retry',
      by: 'ana',
      reason: 'rotated the key',
    });
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
