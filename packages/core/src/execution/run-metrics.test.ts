import { describe, expect, it } from 'vitest';
import { agent, agentDef, RunHarness, workflowOf } from './decide-harness.test-helper.js';
import { runMetrics } from './run-metrics.js';

const T0 = Date.UTC(2026, 0, 1);

/** a → (b, c) → gate; b fails once and is retried; c overlaps b; a person approves at the end. */
function finishedRun(): RunHarness {
  const workflow = workflowOf(
    [
      agent('a', { agent: { id: 'alpha' } }),
      agent('b', { retry: { maxRetries: 1, initialDelayMs: 50, jitter: 0 } }),
      agent('c'),
      { id: 'gate', type: 'approval', assignee: 'ann', message: 'ok?' },
    ],
    [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'gate'],
      ['c', 'gate'],
    ],
  );
  const h = new RunHarness(workflow, { start: T0, agents: [agentDef('alpha'), agentDef('worker')] });
  h.start();
  h.send({ type: 'agent.succeeded', taskKey: 'a', attempt: 1, output: 'A', costUsd: 0.1 }, T0 + 100);
  h.send(
    {
      type: 'agent.failed',
      taskKey: 'b',
      attempt: 1,
      error: { code: 'TIMEOUT', message: 'slow', retryable: true },
    },
    T0 + 150,
  );
  h.send({ type: 'timer.fired', taskKey: 'b' }, T0 + 200);
  h.send({ type: 'agent.succeeded', taskKey: 'c', attempt: 1, output: 'C', costUsd: 0.05 }, T0 + 250);
  h.send({ type: 'agent.succeeded', taskKey: 'b', attempt: 2, output: 'B', costUsd: 0.2 }, T0 + 300);
  h.send({ type: 'approval.decide', taskKey: 'gate', decision: 'approved', by: 'ann' }, T0 + 400);
  return h;
}

describe('runMetrics', () => {
  it('reports progress, timing, performance, cost and quality of a small finished run', () => {
    const h = finishedRun();
    expect(h.run.status).toBe('completed');
    const m = runMetrics(h.workflow, h.run, [...h.rows.values()], T0 + 10_000);
    expect(m).toMatchObject({
      workflowId: 'wf',
      executionId: 'run-1',
      status: 'completed',
      progress: { totalTasks: 4, completedTasks: 4, failedTasks: 0, runningTasks: 0, percentComplete: 100 },
      startTime: T0,
      endTime: T0 + 400,
      duration: 400,
      performance: {
        // a 100, b 100 (its second attempt), c 150, gate 100.
        avgTaskLatency: 112.5,
        // a → c → gate: 100 + 150 + 100.
        criticalPathDuration: 350,
        // 450 ms of work over 400 ms with at most 2 at once.
        parallelizationEfficiency: 56.25,
        // Agents worked from 0 to 300 of 400.
        agentUtilization: 75,
      },
      cost: {
        byAgent: [
          { agentId: 'alpha', cost: 0.1 },
          { agentId: 'worker', cost: 0.25 },
        ],
      },
      quality: { successRate: 100, errorRate: 0, retryRate: 20, humanInterventionRate: 25 },
    });
    expect(m.cost.total).toBeCloseTo(0.35);
    expect(m.estimatedTimeRemaining).toBeUndefined();
    expect(
      m.executionTrace.map((t) => [t.taskId, t.agentId, t.startTime - T0, (t.endTime ?? 0) - T0, t.status]),
    ).toEqual([
      ['a', 'alpha@1.0.0', 0, 100, 'succeeded'],
      ['c', 'worker@1.0.0', 100, 250, 'succeeded'],
      ['b', 'worker@1.0.0', 200, 300, 'succeeded'],
      ['gate', 'approval', 300, 400, 'succeeded'],
    ]);
    expect(m.executionTrace[2]).toMatchObject({ attempt: 2, outputs: 'B', inputs: {} });
  });

  it('counts unreached nodes and estimates the time left of a run in progress', () => {
    const workflow = workflowOf(
      [agent('a'), agent('b'), agent('c')],
      [
        ['a', 'b'],
        ['b', 'c'],
      ],
    );
    const h = new RunHarness(workflow, { start: T0 });
    h.start();
    const m = runMetrics(workflow, h.run, [...h.rows.values()], T0 + 400);
    expect(m.progress).toEqual({
      totalTasks: 3,
      completedTasks: 0,
      failedTasks: 0,
      runningTasks: 1,
      percentComplete: 0,
    });
    // Three unknown agents planned at 1 s each, 400 ms of the first gone.
    expect(m.estimatedTimeRemaining).toBe(2600);
    expect(m.duration).toBe(400);
    h.send(
      {
        type: 'agent.failed',
        taskKey: 'a',
        attempt: 1,
        error: { code: 'X', message: 'broken', retryable: false },
      },
      T0 + 500,
    );
    const failed = runMetrics(workflow, h.run, [...h.rows.values()], T0 + 600);
    expect(failed.quality).toMatchObject({ successRate: 0, errorRate: 100 });
    expect(failed.executionTrace[0]?.error).toBe('broken');
    expect(failed.progress.totalTasks).toBe(1);
  });

  it('estimates a queued run by its whole critical path', () => {
    const workflow = workflowOf([agent('a'), agent('b')], [['a', 'b']]);
    const h = new RunHarness(workflow, { start: T0 });
    const m = runMetrics(workflow, h.run, [], T0);
    expect(m).toMatchObject({
      status: 'queued',
      duration: 0,
      estimatedTimeRemaining: 2000,
      progress: { totalTasks: 2 },
    });
  });
});
