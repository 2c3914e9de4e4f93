import { AgentError, type AgentDefinition, type AgentInvocation } from '@baton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { remoteAgent, runtimesOf, testServerAccess } from '../net/remote-runtimes.test.fixtures.js';
import { invocation, rejection } from '../samples.test.fixtures.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import { FakeModelServer } from './fake-model-server.test.fixtures.js';
import { LlmAgentRuntime } from './llm-agent-runtime.js';
import { priceOf } from './llm-prices.js';

const SECRET = 'sk-test-0123456789abcdef';

describe('LlmAgentRuntime providers', () => {
  let server: FakeModelServer;

  beforeAll(async () => {
    server = await FakeModelServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const runtime = runtimesOf(LlmAgentRuntime, () =>
    testServerAccess(server.baseURL, { BATON_SECRET_LLM_TOKEN: SECRET }),
  );
  /** An `llm` agent with `settings` and no `outputSchema`, so that it answers text. */
  const bare = (settings: Record<string, unknown>): AgentDefinition => {
    const { outputSchema: _unused, ...base } = remoteAgent('llm', 'acme.summariser', settings);
    return base;
  };
  const settingsOf = (settings: Record<string, unknown>): Record<string, unknown> => ({
    baseURL: server.baseURL,
    apiKeySecret: 'LLM_TOKEN',
    prompt: 'Summarise {{ input.text }}',
    ...settings,
  });
  const agent = (settings: Record<string, unknown>): AgentDefinition => bare(settingsOf(settings));

  it('calls openai through its chat completions API with the key as a bearer token', async () => {
    server.reply({
      kind: 'text',
      text: 'An OpenAI answer.',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 },
    });
    const result = await runtime().invoke(
      invocation(agent({ provider: 'openai', model: 'gpt-4o-mini' }), { text: 'x' }),
    );
    expect(result).toEqual({
      output: {
        text: 'An OpenAI answer.',
        usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
        model: 'gpt-4o-mini-2024-07-18',
        finishReason: 'stop',
      },
      // The default price of gpt-4o-mini: $0.15 + $0.60 per million.
      costUsd: 0.75,
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.body).toMatchObject({ model: 'gpt-4o-mini' });
    expect(request?.headers['authorization']).toBe(`Bearer ${SECRET}`);
    expect(request?.headers['idempotency-key']).toBe('run-1:task:1');
  });

  it('calls anthropic through its messages API and returns the text with usage', async () => {
    server.reply({
      kind: 'text',
      text: 'A Claude answer.',
      usage: { prompt_tokens: 40, completion_tokens: 10 },
    });
    const llm = agent({ provider: 'anthropic', model: 'claude-haiku-4-5', system: 'Be brief.' });
    const result = await runtime().invoke(invocation(llm, { text: 'the report' }));
    expect(result).toEqual({
      output: {
        text: 'A Claude answer.',
        usage: { inputTokens: 40, outputTokens: 10 },
        model: 'claude-fake-001',
        finishReason: 'stop',
      },
      // $1 and $5 per million.
      costUsd: 0.00009,
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(SECRET);
    expect(request?.headers['anthropic-version']).toBeDefined();
    expect(request?.body).toMatchObject({
      model: 'claude-haiku-4-5',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise the report' }] }],
    });
  });

  it('streams an anthropic answer as progress, with the usage of its message events', async () => {
    const text = 'Streamed from the messages API, a few characters at a time.';
    server.reply({ kind: 'text', text, chunkChars: 5, usage: { prompt_tokens: 30, completion_tokens: 14 } });
    const deltas: string[] = [];
    const call: AgentInvocation = {
      ...invocation(agent({ provider: 'anthropic', model: 'claude-haiku-4-5', stream: true }), { text: 'x' }),
      progress: (_message, data) => deltas.push((data as { delta: string }).delta),
    };
    const result = await runtime({ progress: { everyChars: 10, everyMs: 60_000 } }).invoke(call);
    expect(result.output).toMatchObject({ text, usage: { inputTokens: 30, outputTokens: 14 } });
    expect(deltas.join('')).toBe(text);
    expect(server.requests[0]?.body).toMatchObject({ stream: true });
  });

  it('makes an anthropic 529 retryable and a 400 final, with its message', async () => {
    const llm = agent({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    server.reply(
      { kind: 'status', status: 529, message: 'Overloaded' },
      { kind: 'status', status: 400, message: 'max_tokens: too large' },
    );
    expect(await rejection(runtime().invoke(invocation(llm, { text: 'x' })))).toMatchObject({
      retryable: true,
      details: { status: 529 },
    });
    const error = await rejection(runtime().invoke(invocation(llm, { text: 'x' })));
    expect(error).toMatchObject({ retryable: false, details: { status: 400 } });
    expect((error as Error).message).toContain('answered 400: max_tokens: too large');
  });

  it('prices by settings.pricing, then the prices option, then the default table', async () => {
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 0 };
    const openai = agent({ provider: 'openai', model: 'gpt-4o' });
    const cost = async (
      llm: AgentDefinition,
      prices?: Record<string, { inputPerMillion: number; outputPerMillion: number }>,
    ): Promise<number | undefined> => {
      server.reply({ kind: 'text', text: 'ok', usage });
      return (await runtime(prices === undefined ? {} : { prices }).invoke(invocation(llm, { text: 'x' })))
        .costUsd;
    };
    expect(await cost(openai)).toBe(2.5);
    expect(await cost(openai, { 'gpt-4o': { inputPerMillion: 2, outputPerMillion: 8 } })).toBe(2);
    const priced = agent({
      provider: 'openai',
      model: 'gpt-4o',
      pricing: { inputPerMillion: 1, outputPerMillion: 1 },
    });
    expect(await cost(priced, { 'gpt-4o': { inputPerMillion: 2, outputPerMillion: 8 } })).toBe(1);
    const local = agent({ provider: 'openai-compatible', model: 'qwen2.5' });
    expect(await cost(local)).toBe(local.performance.costPerExecution);
    expect(await cost(local, { 'qwen2.5': { inputPerMillion: 0.1, outputPerMillion: 0.2 } })).toBe(0.1);
  });

  it('prices a dated snapshot like its alias, only from its own provider, and never from Object.prototype', () => {
    expect(priceOf('claude-sonnet-4-5-20250929', 'anthropic', undefined, {})).toEqual({
      inputPerMillion: 3,
      outputPerMillion: 15,
    });
    expect(priceOf('gpt-4o-2024-08-06', 'openai', undefined, {})).toMatchObject({ inputPerMillion: 2.5 });
    expect(priceOf('gpt-4o', 'openai-compatible', undefined, {})).toBeUndefined();
    expect(priceOf('constructor', 'openai', undefined, {})).toBeUndefined();
  });

  describe('not configured', () => {
    const notConfigured = async (
      llm: AgentDefinition,
      secrets = new EnvSecretStore({}),
    ): Promise<AgentError> => {
      const error = await rejection(runtime({ secrets }).invoke(invocation(llm, { text: 'x' })));
      expect(error).toBeInstanceOf(AgentError);
      expect(error).toMatchObject({
        code: 'AGENT_FAILED',
        retryable: false,
        details: { reason: 'NOT_CONFIGURED' },
      });
      expect(server.requests).toEqual([]);
      return error as AgentError;
    };

    it('names settings.baseURL for an openai-compatible agent without one', async () => {
      const { baseURL: _baseURL, ...settings } = settingsOf({ provider: 'openai-compatible', model: 'm' });
      const error = await notConfigured(bare(settings));
      expect(error.details).toMatchObject({ setting: 'settings.baseURL' });
      expect(error.message).toBe(
        'llm agent acme.summariser@1.0.0 is not configured: provider "openai-compatible" has no public ' +
          "endpoint, so set settings.baseURL to the server's URL (up to /v1)",
      );
    });

    it.each(['openai', 'anthropic'])('names settings.apiKeySecret for %s without one', async (provider) => {
      const { apiKeySecret: _secret, ...settings } = settingsOf({ provider, model: 'm' });
      const error = await notConfigured(bare(settings));
      expect(error.details).toMatchObject({ setting: 'settings.apiKeySecret' });
      expect(error.message).toContain(
        `provider "${provider}" needs an API key, so set settings.apiKeySecret`,
      );
    });

    it('names the environment variable of an unset secret', async () => {
      const error = await notConfigured(
        agent({ provider: 'anthropic', model: 'm', apiKeySecret: 'claude_key' }),
      );
      expect(error.details).toMatchObject({ setting: 'settings.apiKeySecret', secret: 'claude_key' });
      expect(error.message).toContain(
        'the secret "claude_key" (settings.apiKeySecret) is not set; set BATON_SECRET_CLAUDE_KEY',
      );
    });
  });

  it('defaults the base URL to the public endpoint, which the egress guard checks like any URL', async () => {
    const { baseURL: _baseURL, ...settings } = settingsOf({ provider: 'openai', model: 'gpt-4o' });
    const resolved: string[] = [];
    const offline = runtime({
      resolve: (host: string) => {
        resolved.push(host);
        return Promise.resolve([{ address: '10.0.0.8', family: 4 }]);
      },
    });
    const error = await rejection(offline.invoke(invocation(bare(settings), { text: 'x' })));
    expect(resolved).toEqual(['api.openai.com']);
    expect(error).toMatchObject({ details: { reason: 'EGRESS_DENIED', range: 'private' } });
  });
});
