import { AgentError, CancelledError, DefinitionError, type AgentDefinition } from '@baton/core';
import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { definition, invocation, rejection, TEST_START } from '../samples.test.fixtures.js';
import { meanLatency, sampleLatency, type LatencyDistribution } from './latency-distribution.js';
import { simulatedAgent } from './simulated-agent.js';
import { seededRandom } from './seeded-random.js';

const base = definition('builtin.summarizer');
const agentWith = (simulated: unknown, extra: Record<string, unknown> = {}): AgentDefinition => ({
  ...base,
  id: 'acme.crm-sync',
  kind: 'http',
  settings: { simulated, ...extra },
});

/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('simulatedAgent plans', () => {
  const agent = simulatedAgent(
    agentWith({ latency: { type: 'uniform', minMs: 10, maxMs: 500 }, failureRate: 0.3, seed: 7 }),
  );

  it('plans the same latency and outcome for the same idempotency key', () => {
    expect(agent.plan('run-1:extract:1')).toEqual(agent.plan('run-1:extract:1'));
    const again = simulatedAgent(
      agentWith({ latency: { type: 'uniform', minMs: 10, maxMs: 500 }, failureRate: 0.3, seed: 7 }),
    );
    expect(again.plan('run-1:extract:1')).toEqual(agent.plan('run-1:extract:1'));
  });

  it('draws afresh for the next attempt and for another seed', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `run-1:extract:${i + 1}`);
    const latencies = new Set(keys.map((k) => agent.plan(k).latencyMs));
    expect(latencies.size).toBeGreaterThan(15);
    const reseeded = simulatedAgent(
      agentWith({ latency: { type: 'uniform', minMs: 10, maxMs: 500 }, seed: 8 }),
    );
    expect(keys.map((k) => reseeded.plan(k).latencyMs)).not.toEqual(keys.map((k) => agent.plan(k).latencyMs));
  });

  it('fails about the configured share of attempts', () => {
    const failures = Array.from({ length: 2_000 }, (_, i) => agent.plan(`run-${i}:t:1`)).filter(
      (p) => p.fails,
    ).length;
    expect(failures / 2_000).toBeGreaterThan(0.26);
    expect(failures / 2_000).toBeLessThan(0.34);
  });
});

describe('latency distributions', () => {
  const draws = (distribution: LatencyDistribution): number[] => {
    const random = seededRandom('latency-test');
    return Array.from({ length: 4_000 }, () => sampleLatency(distribution, random));
  };
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

  it('keeps a fixed latency exact and a uniform one within its bounds', () => {
    expect(new Set(draws({ type: 'fixed', ms: 120 }))).toEqual(new Set([120]));
    const uniform = draws({ type: 'uniform', minMs: 50, maxMs: 150 });
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...uniform)).toBeLessThanOrEqual(150);
    expect(mean(uniform)).toBeCloseTo(100, -1);
  });

  it('centres a normal latency on its mean and never goes below 0', () => {
    const normal = draws({ type: 'normal', meanMs: 200, stdDevMs: 40 });
    expect(mean(normal)).toBeGreaterThan(195);
    expect(mean(normal)).toBeLessThan(205);
    expect(Math.min(...draws({ type: 'normal', meanMs: 5, stdDevMs: 50 }))).toBe(0);
  });

  it('gives a log-normal latency its median and a long right tail', () => {
    const logNormal = draws({ type: 'log-normal', medianMs: 100, sigma: 0.5 }).sort((a, b) => a - b);
    expect(logNormal[2_000]).toBeGreaterThan(92);
    expect(logNormal[2_000]).toBeLessThan(108);
    expect(mean(logNormal)).toBeCloseTo(meanLatency({ type: 'log-normal', medianMs: 100, sigma: 0.5 }), -1);
    expect(logNormal[3_960]! - 100).toBeGreaterThan(100 - logNormal[40]!);
  });
});

describe('simulatedAgent invocations', () => {
  it('waits the planned latency on its clock, then answers with the output template', async () => {
    const clock = new ManualClock(TEST_START);
    const agent = simulatedAgent(
      agentWith({ latency: 250, costUsd: 0.002, output: { synced: '{{ input.account }}', n: 1 } }),
      { clock },
    );
    let result: unknown;
    const running = agent.invoke(invocation(agent.agent, { account: 'ACME-1' })).then((r) => (result = r));
    await settle();
    clock.advance(249);
    await settle();
    expect(result).toBeUndefined();
    clock.advance(1);
    await running;
    expect(result).toEqual({ output: { synced: 'ACME-1', n: 1 }, costUsd: 0.002 });
  });

  it('takes latency from settings.latencyMs, else from performance.avgLatency, and cost from the definition', () => {
    expect(simulatedAgent(agentWith(true, { latencyMs: 600 })).config.latency).toEqual({
      type: 'fixed',
      ms: 600,
    });
    const plain = simulatedAgent(agentWith(true));
    expect(plain.config).toMatchObject({
      latency: { type: 'fixed', ms: base.performance.avgLatency },
      failureRate: 0,
      costUsd: base.performance.costPerExecution,
    });
  });

  it('answers { simulated: true } when there is neither a template nor an implementation', async () => {
    const agent = simulatedAgent(agentWith({ latency: 0 }));
    expect((await agent.invoke(invocation(agent.agent, {}))).output).toEqual({ simulated: true });
  });

  it('fails a planned failure with a retryable AgentError, after the wait', async () => {
    const agent = simulatedAgent(
      agentWith({ latency: 0, failureRate: 1, failureMessage: 'CRM unavailable' }),
    );
    const error = await rejection(agent.invoke(invocation(agent.agent, {}, { attempt: 3 })));
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ retryable: true, message: 'CRM unavailable (simulated, attempt 3)' });
  });

  it('rejects with the signal reason as soon as it is aborted while waiting', async () => {
    const clock = new ManualClock(TEST_START);
    const agent = simulatedAgent(agentWith({ latency: 10_000 }), { clock });
    const controller = new AbortController();
    const running = agent.invoke(invocation(agent.agent, {}, { signal: controller.signal }));
    await settle();
    const reason = new CancelledError('run cancelled');
    controller.abort(reason);
    expect(await rejection(running)).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('really waits on the wall clock by default', async () => {
    const agent = simulatedAgent(agentWith({ latency: 15 }));
    const started = performance.now();
    await agent.invoke(invocation(agent.agent, {}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(14);
  });

  it('skips the wait when latency simulation is off', async () => {
    const agent = simulatedAgent(agentWith({ latency: 60_000 }), { simulateLatency: false });
    await expect(agent.invoke(invocation(agent.agent, {}))).resolves.toEqual({
      output: { simulated: true },
      costUsd: base.performance.costPerExecution,
    });
  });
});

describe('simulation settings', () => {
  it('names every invalid field with its path', () => {
    let error: unknown;
    try {
      simulatedAgent(
        agentWith({ latency: { type: 'uniform', minMs: 50, maxMs: 10 }, failureRate: 2, colour: 'red' }),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).problems.map((p) => p.path)).toEqual([
      'settings.simulated.colour',
      'settings.simulated.latency.maxMs',
      'settings.simulated.failureRate',
    ]);
  });

  it('refuses an unknown distribution', () => {
    expect(() => simulatedAgent(agentWith({ latency: { type: 'pareto' } }))).toThrow(
      /settings\.simulated\.latency\.type/,
    );
  });
});
