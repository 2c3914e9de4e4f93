import { AgentError, CancelledError, ConflictError, NotFoundError, type AgentDefinition } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { definition, invocation, rejection } from '../samples.test.fixtures.js';
import { FunctionAgentRuntime } from './function-agent-runtime.js';

const agent: AgentDefinition = { ...definition('builtin.summarizer'), id: 'acme.greeter', version: '1.2.0' };

describe('FunctionAgentRuntime', () => {
  it('supports exactly the id@version pairs registered', () => {
    const runtime = new FunctionAgentRuntime();
    runtime.register('acme.greeter', '1.2.0', () => 'hi');
    expect(runtime.supports(agent)).toBe(true);
    expect(runtime.supports({ ...agent, version: '1.3.0' })).toBe(false);
    expect(runtime.unregister('acme.greeter', '1.2.0')).toBe(true);
    expect(runtime.supports(agent)).toBe(false);
  });

  it('returns what the function returns, sync or async, with the declared cost', async () => {
    const runtime = new FunctionAgentRuntime();
    runtime.register('acme.greeter', '1.2.0', (input, ctx) => ({
      greeting: `Hello ${String(input['name'])}`,
      key: ctx.idempotencyKey,
    }));
    expect(await runtime.invoke(invocation(agent, { name: 'Ada' }))).toEqual({
      output: { greeting: 'Hello Ada', key: 'run-1:task:1' },
      costUsd: agent.performance.costPerExecution,
    });
    runtime.register('acme.greeter', '1.2.0', async () => Promise.resolve(42));
    expect((await runtime.invoke(invocation(agent, {}))).output).toBe(42);
  });

  it('wraps a thrown error into a retryable AgentError with the cause', async () => {
    const runtime = new FunctionAgentRuntime();
    const cause = new Error('socket hang up');
    runtime.register('acme.greeter', '1.2.0', () => {
      throw cause;
    });
    const error = await rejection(runtime.invoke(invocation(agent, {})));
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({
      retryable: true,
      cause,
      message: 'agent acme.greeter@1.2.0 threw: socket hang up',
    });
  });

  it('passes a Baton error through unchanged', async () => {
    const runtime = new FunctionAgentRuntime();
    const conflict = new ConflictError('order already shipped');
    runtime.register('acme.greeter', '1.2.0', () => Promise.reject(conflict));
    expect(await rejection(runtime.invoke(invocation(agent, {})))).toBe(conflict);
  });

  it('rejects with the signal reason when aborted while the function runs', async () => {
    const runtime = new FunctionAgentRuntime();
    runtime.register('acme.greeter', '1.2.0', () => new Promise(() => undefined));
    const controller = new AbortController();
    const running = runtime.invoke(invocation(agent, {}, { signal: controller.signal }));
    const reason = new CancelledError('run cancelled');
    controller.abort(reason);
    expect(await rejection(running)).toBe(reason);
  });

  it('answers NOT_FOUND for an agent nobody registered', async () => {
    expect(await rejection(new FunctionAgentRuntime().invoke(invocation(agent, {})))).toBeInstanceOf(
      NotFoundError,
    );
  });
});
