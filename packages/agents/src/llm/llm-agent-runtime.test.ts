import {
  AgentError,
  CancelledError,
  DefinitionError,
  ForbiddenError,
  type AgentDefinition,
  type AgentInvocation,
} from '@baton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { remoteAgent, runtimesOf, testServerAccess } from '../net/remote-runtimes.test.fixtures.js';
import { invocation, rejection } from '../samples.test.fixtures.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import { FakeModelServer } from './fake-model-server.test.fixtures.js';
import { LlmAgentRuntime } from './llm-agent-runtime.js';

const SECRET = 'sk-test-0123456789abcdef';

describe('LlmAgentRuntime', () => {
  let server: FakeModelServer;

  beforeAll(async () => {
    server = await FakeModelServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const runtime = runtimesOf(LlmAgentRuntime, () =>
    testServerAccess(server.baseURL, { BATON_SECRET_LLM_TOKEN: SECRET }),
  );
  const agent = (settings: Record<string, unknown> = {}, outputSchema?: object): AgentDefinition => {
    const { outputSchema: _unused, ...base } = remoteAgent('llm', 'acme.summariser', {
      provider: 'openai-compatible',
      baseURL: server.baseURL,
      model: 'fake-model',
      prompt: 'Summarise {{ input.text }}',
      ...settings,
    });
    return {
      ...base,
      ...(outputSchema === undefined ? {} : { outputSchema: outputSchema as Record<string, unknown> }),
    };
  };
  const messages = (index = 0): unknown => server.requests[index]?.body['messages'];

  it('supports llm agents only', () => {
    expect(runtime().supports(agent())).toBe(true);
    expect(runtime().supports({ ...agent(), kind: 'http' })).toBe(false);
  });

  it('sends the rendered system and prompt, and returns the text with usage, model and cost', async () => {
    server.reply({
      kind: 'text',
      text: 'A short summary.',
      usage: { prompt_tokens: 1_000, completion_tokens: 500 },
    });
    const llm = agent({
      system: 'You summarise for {{ input.audience }}.',
      temperature: 0.2,
      maxOutputTokens: 300,
      pricing: { inputPerMillion: 3, outputPerMillion: 15 },
    });
    const result = await runtime().invoke(
      invocation(llm, { text: 'the quarterly report', audience: 'executives' }, { attempt: 2 }),
    );
    expect(result).toEqual({
      output: {
        text: 'A short summary.',
        usage: { inputTokens: 1_000, outputTokens: 500 },
        model: 'fake-model-001',
        finishReason: 'stop',
      },
      // 1,000 × $3/M + 500 × $15/M
      costUsd: 0.0105,
    });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.body).toMatchObject({ model: 'fake-model', temperature: 0.2, max_tokens: 300 });
    expect(messages()).toEqual([
      { role: 'system', content: 'You summarise for executives.' },
      { role: 'user', content: 'Summarise the quarterly report' },
    ]);
    expect(request?.headers['idempotency-key']).toBe('run-1:task:2');
    expect(request?.headers['authorization']).toBeUndefined();
  });

  it('falls back to the declared costPerExecution without pricing', async () => {
    const llm = agent();
    const result = await runtime().invoke(invocation(llm, { text: 'x' }));
    expect(result.costUsd).toBe(llm.performance.costPerExecution);
  });

  it('sends the API key from the secret store as a bearer token, never shown in an error', async () => {
    const llm = agent({ apiKeySecret: 'llm_token' });
    await runtime().invoke(invocation(llm, { text: 'x' }));
    expect(server.requests[0]?.headers['authorization']).toBe(`Bearer ${SECRET}`);

    server.reply({ kind: 'status', status: 401, message: `Incorrect API key provided: ${SECRET}` });
    const error = await rejection(runtime().invoke(invocation(llm, { text: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false, details: { status: 401 } });
    expect((error as Error).message).toContain('answered 401: Incorrect API key provided: [redacted]');
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('fails without retry, and without calling, when the secret is not set', async () => {
    const error = await rejection(
      runtime({ secrets: new EnvSecretStore({}) }).invoke(
        invocation(agent({ apiKeySecret: 'LLM_TOKEN' }), { text: 'x' }),
      ),
    );
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ retryable: false, details: { secret: 'LLM_TOKEN' } });
    expect(server.requests).toEqual([]);
  });

  const review = {
    type: 'object',
    properties: {
      verdict: { type: 'string', enum: ['approve', 'reject'] },
      score: { type: 'integer', minimum: 0 },
    },
    required: ['verdict', 'score'],
    additionalProperties: false,
  };

  it('asks for an object matching the outputSchema and returns the object', async () => {
    server.reply({ kind: 'text', text: '{"verdict":"approve","score":8}' });
    const result = await runtime().invoke(invocation(agent({}, review), { text: 'the contract' }));
    expect(result.output).toEqual({ verdict: 'approve', score: 8 });
    // What @ai-sdk/openai-compatible sends for structured output: a JSON Schema response_format.
    expect(server.requests[0]?.body['response_format']).toEqual({
      type: 'json_schema',
      json_schema: { schema: review, strict: true, name: 'output' },
    });
  });

  it('sends a json_object response_format to servers without structured outputs', async () => {
    server.reply({ kind: 'text', text: '{"verdict":"reject","score":1}' });
    const llm = agent({ structuredOutputs: false }, review);
    expect((await runtime().invoke(invocation(llm, { text: 'x' }))).output).toEqual({
      verdict: 'reject',
      score: 1,
    });
    expect(server.requests[0]?.body['response_format']).toEqual({ type: 'json_object' });
  });

  it.each([
    ['an object that breaks the schema', '{"verdict":"maybe","score":-1}', /verdict: .*; score: Too small/],
    ['text that is not JSON', 'I think it is fine.', /no object matching the agent's outputSchema/],
  ])('fails without retry on %s', async (_case, text, message) => {
    server.reply({ kind: 'text', text });
    const error = await rejection(runtime().invoke(invocation(agent({}, review), { text: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
    expect((error as Error).message).toMatch(message);
  });

  it('streams the answer and reports it as throttled progress', async () => {
    const text = 'Streaming works one small piece after another until the whole answer is there.';
    server.reply({ kind: 'text', text, chunkChars: 3, usage: { prompt_tokens: 20, completion_tokens: 16 } });
    const reports: { message: string; data: unknown }[] = [];
    const call: AgentInvocation = {
      ...invocation(agent({ stream: true, pricing: { inputPerMillion: 1, outputPerMillion: 2 } }), {
        text: 'x',
      }),
      progress: (message, data) => reports.push({ message, data }),
    };
    const result = await runtime({ progress: { everyChars: 20, everyMs: 60_000 } }).invoke(call);
    expect(result.output).toMatchObject({ text, usage: { inputTokens: 20, outputTokens: 16 } });
    expect(result.costUsd).toBe(0.000052);
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // Every 20 characters or more, at most; the last report carries the rest.
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(text.length / 20) + 1);
    expect(reports.map((r) => (r.data as { delta: string }).delta).join('')).toBe(text);
    expect(reports.at(-1)).toEqual({
      message: `streamed ${text.length} characters`,
      data: expect.objectContaining({ chars: text.length }) as unknown,
    });
  });

  it('streams structured output and returns the object', async () => {
    server.reply({ kind: 'text', text: '{"verdict":"approve","score":3}', chunkChars: 5 });
    const result = await runtime().invoke(invocation(agent({ stream: true }, review), { text: 'x' }));
    expect(result.output).toEqual({ verdict: 'approve', score: 3 });
  });

  it.each([
    [429, { 'retry-after': '7' }],
    [500, {}],
    [503, {}],
  ])('makes a %i a retryable AgentError, streaming or not', async (status, headers) => {
    for (const stream of [false, true]) {
      server.reply({ kind: 'status', status, message: `overloaded (${status})`, headers });
      const error = await rejection(runtime().invoke(invocation(agent({ stream }), { text: 'x' })));
      expect(error).toBeInstanceOf(AgentError);
      expect(error).toMatchObject({ retryable: true, details: { status } });
      expect((error as Error).message).toContain(`answered ${status}: overloaded (${status})`);
      if (status === 429) expect(error).toMatchObject({ details: { retryAfter: '7' } });
    }
    // maxRetries: 0 — the task's retry policy decides, the SDK never tries again by itself.
    expect(server.requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404])('makes a %i a final AgentError with the provider message', async (status) => {
    server.reply({ kind: 'status', status, message: `refused with ${status}` });
    const error = await rejection(runtime().invoke(invocation(agent(), { text: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false, details: { status } });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^llm agent acme.summariser@1.0.0 \\(.*, model fake-model\\) answered ${status}: ` +
          `refused with ${status}$`,
      ),
    );
  });

  it('fails without retry on a malformed answer', async () => {
    server.reply({ kind: 'malformed' });
    const error = await rejection(runtime().invoke(invocation(agent(), { text: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false, details: { status: 200 } });
    expect((error as Error).message).toContain('answered 200 with a body it could not read');
  });

  it('reports a refused connection as retryable', async () => {
    const gone = await FakeModelServer.start();
    await gone.close();
    const closed = new LlmAgentRuntime(testServerAccess(gone.baseURL));
    const error = await rejection(closed.invoke(invocation(agent({ baseURL: gone.baseURL }), { text: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('rejects with the signal reason when aborted mid-stream', async () => {
    server.reply({ kind: 'text', text: 'a long answer that never ends', chunkChars: 2, hangAfterChunks: 3 });
    const controller = new AbortController();
    const reports: string[] = [];
    const call: AgentInvocation = {
      ...invocation(agent({ stream: true }), { text: 'x' }, { signal: controller.signal }),
      progress: (message) => {
        reports.push(message);
      },
    };
    const pending = runtime({ progress: { everyChars: 1, everyMs: 0 } }).invoke(call);
    await expect.poll(() => reports.length).toBeGreaterThan(0);
    const reason = new CancelledError('run cancelled');
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
  });

  it('refuses 127.0.0.1 unless the operator allow-listed it, before any request', async () => {
    const strict = new LlmAgentRuntime({ secrets: new EnvSecretStore({}) });
    const error = await rejection(strict.invoke(invocation(agent(), { text: 'x' })));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({
      retryable: false,
      details: { reason: 'EGRESS_DENIED', range: 'loopback' },
    });
    const metadata = agent({ baseURL: 'http://169.254.169.254/v1' });
    expect(await rejection(runtime().invoke(invocation(metadata, { text: 'x' })))).toMatchObject({
      details: { reason: 'EGRESS_DENIED', range: 'link-local' },
    });
    expect(server.requests).toEqual([]);
  });

  it('fails without retry, and without calling, when the prompt cannot be rendered over the input', async () => {
    const llm = agent({ prompt: 'Summarise {{ input.document.text }}' });
    const error = await rejection(runtime().invoke(invocation(llm, { text: 'x' })));
    expect(error).toMatchObject({
      code: 'AGENT_FAILED',
      retryable: false,
      details: { field: 'settings.prompt' },
    });
    expect((error as Error).message).toContain('settings.prompt: in {{ input.document.text }}');
    expect(server.requests).toEqual([]);
  });

  it('refuses invalid settings with a DefinitionError naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ provider: 'acme-ai' }, 'settings.provider:'],
      [{ baseURL: 'ftp://models.example.com/' }, 'settings.baseURL: must be an http or https URL, not ftp:'],
      [{ baseURL: 'https://u:p@models.example.com/' }, 'settings.baseURL: must not carry credentials'],
      [{ model: '' }, 'settings.model:'],
      [{ prompt: 'Summarise {{ input.text' }, 'settings.prompt: unclosed {{'],
      [{ apiKeySecret: '../key' }, 'settings.apiKeySecret: must be a secret name'],
      [{ pricing: { inputPerMillion: -1, outputPerMillion: 1 } }, 'settings.pricing.inputPerMillion:'],
      [{ stream: 'yes' }, 'settings.stream: must be a boolean'],
      [{ temprature: 0.5 }, 'settings.temprature: unknown field'],
    ];
    for (const [settings, message] of cases) {
      const error = await rejection(runtime().invoke(invocation(agent(settings), { text: 'x' })));
      expect(error, message).toBeInstanceOf(DefinitionError);
      expect((error as Error).message, message).toContain(message);
    }
    expect(server.requests).toEqual([]);
  });
});
