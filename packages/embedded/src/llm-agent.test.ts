import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Baton } from './create-baton.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

const SECRET_VARIABLE = 'BATON_SECRET_EMBEDDED_LLM_TEST_KEY';

interface Received {
  headers: IncomingHttpHeaders;
  body: { messages: { role: string; content: string }[]; response_format?: unknown };
}

/**
 * A small OpenAI-compatible chat server on loopback. With a JSON Schema `response_format` it answers the
 * object `{ topic, urgent }`; otherwise it echoes the user message in upper case. `failNext` answers 503.
 */
function fakeModel(): Promise<{
  server: Server;
  baseURL: string;
  received: Received[];
  failNext: () => void;
}> {
  const received: Received[] = [];
  let failures = 0;
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(raw) as Received['body'];
      received.push({ headers: request.headers, body });
      response.setHeader('content-type', 'application/json');
      if (failures > 0) {
        failures--;
        response.writeHead(503).end(JSON.stringify({ error: { message: 'model overloaded' } }));
        return;
      }
      const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
      const content = body.response_format
        ? JSON.stringify({ topic: 'invoices', urgent: user.includes('today') })
        : user.toUpperCase();
      response.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1_767_225_600,
          model: 'fake-model-001',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 2_000, completion_tokens: 1_000, total_tokens: 3_000 },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, baseURL: `http://127.0.0.1:${port}/v1`, received, failNext: () => void failures++ });
    }),
  );
}

describe('llm agents in createBaton', () => {
  let baton: Baton;
  let dispose: () => Promise<void>;
  let model: Awaited<ReturnType<typeof fakeModel>>;

  beforeAll(async () => {
    model = await fakeModel();
    process.env[SECRET_VARIABLE] = 'sk-embedded-test';
    ({ baton, dispose } = await tempBaton({ egressAllow: [new URL(model.baseURL).host] }));
    const settings = {
      provider: 'openai-compatible',
      baseURL: model.baseURL,
      model: 'fake-model',
      apiKeySecret: 'EMBEDDED_LLM_TEST_KEY',
      pricing: { inputPerMillion: 1, outputPerMillion: 4 },
    };
    baton.registerAgent(
      functionAgent('t.triage', {
        kind: 'llm',
        settings: { ...settings, prompt: 'Triage this message: {{ input.message }}' },
        outputSchema: {
          type: 'object',
          properties: { topic: { type: 'string' }, urgent: { type: 'boolean' } },
          required: ['topic', 'urgent'],
          additionalProperties: false,
        },
      }),
    );
    baton.registerAgent(
      functionAgent('t.reply', {
        kind: 'llm',
        settings: { ...settings, system: 'You answer customers.', prompt: 'Write about {{ input.topic }}' },
      }),
    );
  });
  afterAll(async () => {
    await dispose();
    model.server.close();
    delete process.env[SECRET_VARIABLE];
  });
  beforeEach(() => {
    model.received.length = 0;
  });

  const workflow = {
    id: 'support',
    name: 'Support',
    version: '1.0.0',
    nodes: [
      {
        id: 'triage',
        type: 'agent',
        agent: { id: 't.triage' },
        inputs: { message: '{{ input.message }}' },
        retry: { maxRetries: 1, initialDelayMs: 10 },
      },
      {
        id: 'reply',
        type: 'agent',
        agent: { id: 't.reply' },
        inputs: { topic: '{{ nodes.triage.output.topic }}' },
      },
    ],
    edges: [{ from: 'triage', to: 'reply' }],
    outputs: {
      urgent: { value: 'nodes.triage.output.urgent' },
      reply: { value: 'nodes.reply.output.text' },
    },
  };

  it('runs a structured and a text llm agent end to end, with key, idempotency key and cost', async () => {
    const run = await baton.run(workflow, { message: 'please pay the invoice today' });
    expect(run.status, run.error?.message).toBe('completed');
    expect(run.output).toEqual({ urgent: true, reply: 'WRITE ABOUT INVOICES' });
    // 2,000 input tokens at $1/M plus 1,000 output tokens at $4/M, per call.
    expect(run.costUsd).toBeCloseTo(0.012, 9);

    const [triage, reply] = model.received;
    expect(triage?.body.response_format).toMatchObject({ type: 'json_schema' });
    expect(triage?.headers['authorization']).toBe('Bearer sk-embedded-test');
    expect(triage?.headers['idempotency-key']).toBe(`${run.id}:triage:1`);
    expect(reply?.body.messages).toEqual([
      { role: 'system', content: 'You answer customers.' },
      { role: 'user', content: 'Write about invoices' },
    ]);
    const task = (await baton.getRun(run.id))?.tasks.find((t) => t.nodeId === 'reply');
    expect(task?.output).toMatchObject({
      model: 'fake-model-001',
      usage: { inputTokens: 2_000, outputTokens: 1_000 },
    });
  });

  it('prices models from the deployment’s table when an agent names no pricing', async () => {
    const priced = await tempBaton({
      egressAllow: [new URL(model.baseURL).host],
      llmPrices: { 'fake-model': { inputPerMillion: 2, outputPerMillion: 8 } },
    });
    try {
      const settings = {
        provider: 'openai-compatible',
        baseURL: model.baseURL,
        model: 'fake-model',
        apiKeySecret: 'EMBEDDED_LLM_TEST_KEY',
        prompt: 'Write about {{ input.topic }}',
      };
      priced.baton.registerAgent(functionAgent('t.unpriced', { kind: 'llm', settings }));
      const run = await priced.baton.run({
        id: 'priced',
        name: 'Priced',
        version: '1.0.0',
        nodes: [{ id: 'write', type: 'agent', agent: { id: 't.unpriced' }, inputs: { topic: 'refunds' } }],
      });
      expect(run.status, run.error?.message).toBe('completed');
      const usage = (await priced.baton.getRun(run.id))?.tasks[0]?.output as {
        usage: { inputTokens: number; outputTokens: number };
      };
      const expected = (usage.usage.inputTokens * 2 + usage.usage.outputTokens * 8) / 1_000_000;
      expect(expected).toBeGreaterThan(0);
      expect(run.costUsd).toBeCloseTo(expected, 12);
    } finally {
      await priced.dispose();
    }
  });

  it("retries an overloaded model under the node's retry policy, not the SDK's", async () => {
    model.failNext();
    const run = await baton.run(workflow, { message: 'a question' });
    expect(run.status, run.error?.message).toBe('completed');
    // The triage call failed once and was tried again by the engine: three requests in all.
    expect(model.received.map((r) => r.headers['idempotency-key'])).toEqual([
      `${run.id}:triage:1`,
      `${run.id}:triage:2`,
      `${run.id}:reply:1`,
    ]);
  });
});
