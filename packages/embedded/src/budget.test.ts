import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Baton } from './create-baton.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

/** A chain of `steps` paid steps, each costing $0.01 as its agent reports. */
function paidChain(steps: number, budget: Record<string, unknown>): unknown {
  const ids = Array.from({ length: steps }, (_, i) => `s${i}`);
  return {
    id: 'paid',
    name: 'Paid',
    version: '1.0.0',
    policies: { budget },
    nodes: ids.map((id) => ({ id, type: 'agent', agent: { id: 't.paid' } })),
    edges: ids.slice(1).map((to, i) => ({ from: ids[i], to })),
  };
}

describe('run budgets', () => {
  let baton: Baton;
  let dispose: () => Promise<void>;
  let calls = 0;
  beforeEach(async () => {
    ({ baton, dispose } = await tempBaton());
    calls = 0;
    baton.registerAgent(
      functionAgent('t.paid', {
        performance: {
          avgLatency: 1,
          successRate: 100,
          throughput: 100,
          costPerExecution: 0.01,
          reliability: 100,
        },
      }),
      () => {
        calls++;
        return { ok: true };
      },
    );
  });
  afterEach(async () => dispose());

  it('fails a run the moment it costs more than its budget, and starts nothing after', async () => {
    const run = await baton.run(paidChain(10, { maxCostUsd: 0.035 }));
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('BUDGET_EXCEEDED');
    expect(run.error?.message).toContain('over its budget of $0.0350');
    expect(run.error?.details).toMatchObject({ limit: 'maxCostUsd', max: 0.035 });
    expect(calls).toBe(4);
    expect(run.costUsd).toBeCloseTo(0.04, 10);
  });

  it('fails a run that starts more tasks than its budget allows', async () => {
    const run = await baton.run(paidChain(6, { maxTasks: 3 }));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { limit: 'maxTasks', value: 4, max: 3 },
    });
    expect(calls).toBe(3);
  });

  it('pauses instead when the budget says so, and goes on when an operator resumes it', async () => {
    const started = await baton.startRun(paidChain(5, { maxCostUsd: 0.025, onExceeded: 'pause' }));
    const paused = await new Promise<string | undefined>((resolve) => {
      const stop = baton.subscribe(started.id, (event) => {
        if (event.type === 'run.paused') {
          stop();
          resolve(event.reason);
        }
      });
    });
    expect(paused).toContain('over its budget');
    expect((await baton.getRun(started.id))?.run.status).toBe('paused');
    await baton.resume(started.id, 'ops');
    const done = await baton.waitForRun(started.id);
    expect(done.status).toBe('completed');
    expect(calls).toBe(5);
  });
});
