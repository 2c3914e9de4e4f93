import { AgentError, CancelledError, TimeoutError, isBatonError, type AgentDefinition } from '@baton/core';
import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import {
  builtinDefinitions,
  definition,
  invocation,
  rejection,
  TEST_START,
  testRuntime,
} from '../samples.test.fixtures.js';
import { BuiltinAgentRuntime } from './builtin-agent-runtime.js';
import { builtinAgent } from './builtin-agent.js';
import { BUILTIN_AGENT_IDS } from './builtin-agents.js';

const summarizer = definition('builtin.summarizer');
const deployer = definition('builtin.deployer');
const longText = Array.from(
  { length: 4_000 },
  (_, i) => `Sentence ${i} says the vendor must deliver item ${i}.`,
).join('\n');

describe('BuiltinAgentRuntime pairing', () => {
  it('implements exactly the agents defined in definitions/', () => {
    expect([...BUILTIN_AGENT_IDS].sort()).toEqual([...builtinDefinitions().keys()].sort());
  });

  it('supports every built-in definition, by id and major version', () => {
    const runtime = new BuiltinAgentRuntime();
    for (const agent of builtinDefinitions().values()) expect(runtime.supports(agent), agent.id).toBe(true);
    expect(runtime.supports({ ...summarizer, version: '1.4.0' })).toBe(true);
    expect(runtime.supports({ ...summarizer, version: '2.0.0' })).toBe(false);
    expect(runtime.supports({ ...summarizer, id: 'acme.summarizer' })).toBe(false);
    expect(runtime.supports({ ...summarizer, kind: 'http' })).toBe(false);
  });

  it('supports any definition that asks to be simulated', () => {
    const agent: AgentDefinition = {
      ...summarizer,
      id: 'acme.crm',
      kind: 'http',
      settings: { simulated: true },
    };
    expect(new BuiltinAgentRuntime().supports(agent)).toBe(true);
  });

  it('refuses to run an agent it has no implementation for, without retry', async () => {
    const error = await rejection(
      testRuntime().invoke(invocation({ ...summarizer, id: 'acme.unknown' }, { text: 'x' })),
    );
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringContaining('acme.unknown@1.0.0') as unknown,
    });
  });
});

describe('BuiltinAgentRuntime results', () => {
  it('reports the declared cost per execution', async () => {
    const result = await testRuntime().invoke(invocation(summarizer, { text: 'One. Two.' }));
    expect(result.costUsd).toBe(summarizer.performance.costPerExecution);
  });

  it('stamps simulated systems with the time of its clock', async () => {
    const clock = new ManualClock(TEST_START);
    clock.advance(90_000);
    const runtime = new BuiltinAgentRuntime({ clock, simulateLatency: false });
    const input = { service: 's', environment: 'staging', version: 'v1' };
    const { output } = await runtime.invoke(invocation(deployer, input));
    expect(output).toMatchObject({ at: '2026-01-01T00:01:30.000Z' });
  });
});

describe('BuiltinAgentRuntime input checks', () => {
  const attempt = async (agent: AgentDefinition, input: Record<string, unknown>): Promise<unknown> =>
    rejection(testRuntime().invoke(invocation(agent, input)));

  it('rejects a missing required field with a non-retryable error naming it', async () => {
    const error = await attempt(summarizer, {});
    expect(isBatonError(error, 'AGENT_FAILED')).toBe(true);
    expect(error).toMatchObject({
      retryable: false,
      details: { reason: 'invalid_input', path: 'input.text' },
    });
    expect((error as Error).message).toBe('invalid input: input.text: required; give a string');
  });

  it('rejects a field of the wrong type, naming its path inside lists', async () => {
    const error = await attempt(definition('builtin.pricing-calculator'), {
      priceList: [{ sku: 'A', description: 'W', unitPrice: 1 }],
      items: [{ sku: 'A', quantity: '3' }],
    });
    expect((error as Error).message).toBe(
      'invalid input: input.items[0].quantity: expected a finite number, got a string',
    );
  });

  it('rejects a value outside its allowed set or range', async () => {
    expect(((await attempt(summarizer, { text: 'x', maxSentences: 0 })) as Error).message).toContain(
      'input.maxSentences: must be at least 1',
    );
    expect(
      ((await attempt(definition('builtin.legal-reviewer'), { text: 'x', ruleSet: 'nda' })) as Error).message,
    ).toContain('input.ruleSet: expected one of proposal, contract, got "nda"');
  });

  it('treats null as an absent optional field', async () => {
    const result = await testRuntime().invoke(invocation(summarizer, { text: 'One. Two.', focus: null }));
    expect(result.output).toMatchObject({ sourceSentenceCount: 2 });
  });
});

describe('BuiltinAgentRuntime cancellation', () => {
  it('rejects at once with the reason when the signal has already fired', async () => {
    const controller = new AbortController();
    const reason = new CancelledError('run cancelled by an operator');
    controller.abort(reason);
    const error = await rejection(
      testRuntime().invoke(invocation(summarizer, { text: 'x' }, { signal: controller.signal })),
    );
    expect(error).toBe(reason);
  });

  it('stops a long text agent promptly when the signal fires mid-run', async () => {
    const controller = new AbortController();
    const reason = new TimeoutError('step timed out after 10000 ms');
    const running = testRuntime().invoke(
      invocation(
        definition('builtin.requirements-extractor'),
        { text: longText },
        { signal: controller.signal },
      ),
    );
    const started = performance.now();
    // Fires at the first point where the agent yields to the event loop.
    setImmediate(() => controller.abort(reason));
    const error = await rejection(running);
    expect(error).toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('stops a simulated agent waiting on its latency and cancels the timer', async () => {
    const clock = new ManualClock(TEST_START);
    const runtime = new BuiltinAgentRuntime({ clock });
    const controller = new AbortController();
    const running = runtime.invoke(
      invocation(
        deployer,
        { service: 's', environment: 'staging', version: 'v1' },
        { signal: controller.signal },
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pendingTimers).toBe(1);
    controller.abort('shutting down');
    const error = await rejection(running);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('shutting down');
    expect(clock.pendingTimers).toBe(0);
  });

  it('turns a DOM timeout reason into a TimeoutError', async () => {
    const error = await rejection(
      testRuntime().invoke(
        invocation(
          summarizer,
          { text: 'x' },
          { signal: AbortSignal.abort(new DOMException('late', 'TimeoutError')) },
        ),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe('BuiltinAgentRuntime internal errors', () => {
  it('wraps a bug in an implementation into a non-retryable AgentError with the cause', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const broken = builtinAgent('acme.broken', () => Promise.reject(bug));
    const runtime = new BuiltinAgentRuntime({ agents: [broken] });
    const error = await rejection(runtime.invoke(invocation({ ...summarizer, id: 'acme.broken' }, {})));
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ retryable: false, cause: bug, details: { internal: true } });
  });

  it('serves an implementation given in the options instead of the built-in one', async () => {
    const replacement = builtinAgent('builtin.summarizer', () => Promise.resolve({ summary: 'replaced' }));
    const runtime = new BuiltinAgentRuntime({ agents: [replacement] });
    expect((await runtime.invoke(invocation(summarizer, { text: 'x' }))).output).toEqual({
      summary: 'replaced',
    });
  });
});
