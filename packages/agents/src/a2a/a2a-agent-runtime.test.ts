import {
  AgentError,
  CancelledError,
  DefinitionError,
  ForbiddenError,
  INPUT_REPLY_KIND,
  InputRequiredError,
  type AgentInvocation,
  type InputReply,
} from '@baton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { remoteAgent, runtimesOf, testServerAccess } from '../net/remote-runtimes.test.fixtures.js';
import { invocation, rejection } from '../samples.test.fixtures.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import { A2aAgentRuntime } from './a2a-agent-runtime.js';
import { startA2aServer, type TestA2aServer } from './a2a-servers.test.fixtures.js';

describe('A2aAgentRuntime', () => {
  let server: TestA2aServer;

  beforeAll(async () => {
    server = await startA2aServer();
  });
  beforeEach(() => {
    server.methods.length = 0;
    server.authorizations.length = 0;
  });
  afterAll(async () => {
    await server.close();
  });

  const runtime = runtimesOf(A2aAgentRuntime, () => testServerAccess(server.base));
  const remote = (settings: Record<string, unknown> = {}) =>
    remoteAgent('a2a', 'acme.researcher', { url: server.base, pollIntervalMs: 20, ...settings });

  it('supports a2a agents only', () => {
    expect(runtime().supports(remote())).toBe(true);
    expect(runtime().supports({ ...remote(), kind: 'mcp' })).toBe(false);
  });

  it('returns a direct reply, sending the input as a data part by default', async () => {
    const result = await runtime().invoke(invocation(remote(), { mode: 'reply', topic: 'tides' }));
    expect(result.output).toEqual({
      text: 'got: ',
      data: { received: { mode: 'reply', topic: 'tides' } },
      artifacts: [],
      taskId: null,
      contextId: expect.any(String) as string,
      state: null,
    });
    expect(result.costUsd).toBe(remote().performance.costPerExecution);
  });

  it('builds the message from the text and data templates', async () => {
    const templated = remote({ text: 'Research {{ input.topic }}', data: { mode: '{{ input.mode }}' } });
    const { output } = await runtime().invoke(invocation(templated, { mode: 'reply', topic: 'tides' }));
    expect(output).toMatchObject({ text: 'got: Research tides', data: { received: { mode: 'reply' } } });
  });

  it('streams a task to completion, reporting its status and joining the artifact chunks', async () => {
    const progress = vi.fn<AgentInvocation['progress']>();
    const result = await runtime().invoke({ ...invocation(remote(), { mode: 'work' }), progress });
    const output = result.output as { taskId: string };
    expect(output).toEqual({
      text: 'part one\npart two',
      data: { score: 7 },
      artifacts: [
        {
          artifactId: 'report',
          name: 'Report',
          description: 'what was found',
          parts: [
            { kind: 'text', text: 'part one' },
            { kind: 'text', text: 'part two' },
            { kind: 'data', data: { score: 7 } },
          ],
        },
      ],
      taskId: expect.any(String) as string,
      contextId: expect.any(String) as string,
      state: 'completed',
    });
    expect(progress.mock.calls.map(([message]) => message)).toEqual([
      'submitted',
      'working: researching',
      'completed',
    ]);
    expect(progress).toHaveBeenCalledWith('working: researching', {
      taskId: output.taskId,
      state: 'working',
    });
    expect(server.methods).toEqual(['SendStreamingMessage']);
  });

  it('polls a working task when the agent card offers no streaming', async () => {
    const progress = vi.fn<AgentInvocation['progress']>();
    const plain = remote({ url: `${server.base}/no-stream/card.json` });
    const { output } = await runtime().invoke({ ...invocation(plain, { mode: 'work' }), progress });
    expect(output).toMatchObject({ text: 'part one\npart two', data: { score: 7 }, state: 'completed' });
    expect(server.methods[0]).toBe('SendMessage');
    expect(server.methods.slice(1).every((m) => m === 'GetTask')).toBe(true);
    expect(server.methods.length).toBeGreaterThan(1);
    expect(progress.mock.calls.at(-1)?.[0]).toBe('completed');
    const forced = await runtime().invoke(invocation(remote({ streaming: false }), { mode: 'work' }));
    expect(forced.output).toMatchObject({ state: 'completed' });
  });

  it.each([
    ['fail', true, 'ended failed: no budget left'],
    ['fail', false, 'ended failed: no budget left'],
    ['reject', true, 'ended rejected: not my job'],
  ])('fails a task that ends with %s (streaming %s) without retry', async (mode, streaming, message) => {
    const error = await rejection(runtime().invoke(invocation(remote({ streaming }), { mode })));
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ retryable: false, details: { taskId: expect.any(String) as string } });
    expect((error as Error).message).toContain(message);
  });

  it.each([true, false])(
    'asks a person when the task stops as input-required, and sends the answer to that task (streaming %s)',
    async (streaming) => {
      const agent = remote({ streaming });
      for (const [reply, report] of [
        ['2024', 'report for 2024'],
        [{ year: 2025 }, 'report for {"year":2025}'],
      ] as const) {
        const asked = await rejection(runtime().invoke(invocation(agent, { mode: 'ask' })));
        expect(asked).toBeInstanceOf(InputRequiredError);
        expect(asked).toMatchObject({ code: 'INPUT_REQUIRED', retryable: false, message: 'which year?' });
        const request = (asked as InputRequiredError).details!;
        expect(request).toMatchObject({ taskId: expect.any(String) as string, state: 'input-required' });

        const answer: InputReply = {
          kind: INPUT_REPLY_KIND,
          question: 'which year?',
          request,
          reply,
          by: 'ana',
        };
        const next = { ...invocation(agent, { mode: 'ask' }, { attempt: 2 }), checkpoint: answer };
        const { output } = await runtime().invoke(next);
        // The same remote task carried on: the answer did not start a new one.
        expect(output).toMatchObject({ text: report, taskId: request['taskId'], state: 'completed' });
      }
    },
  );

  it('checks a named skill against the agent card before sending anything', async () => {
    const known = await runtime().invoke(invocation(remote({ skill: 'research' }), { mode: 'reply' }));
    expect(known.output).toMatchObject({ state: null });
    server.methods.length = 0;
    const error = await rejection(
      runtime().invoke(invocation(remote({ skill: 'poetry' }), { mode: 'reply' })),
    );
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false, details: { skill: 'poetry' } });
    expect((error as Error).message).toContain('has no skill "poetry" on its agent card; it offers research');
    expect(server.methods).toEqual([]);
  });

  it.each([true, false])(
    'cancels the remote task and rejects with the reason when aborted (streaming %s)',
    async (streaming) => {
      const controller = new AbortController();
      const pending = runtime().invoke(
        invocation(remote({ streaming }), { mode: 'hang' }, { signal: controller.signal }),
      );
      await vi.waitFor(() =>
        expect(server.methods).toContain(streaming ? 'SendStreamingMessage' : 'GetTask'),
      );
      const reason = new CancelledError('run cancelled');
      const before = server.cancelled.length;
      controller.abort(reason);
      expect(await rejection(pending)).toBe(reason);
      await vi.waitFor(() => expect(server.cancelled.length).toBe(before + 1));
      expect(server.methods).toContain('CancelTask');
    },
  );

  it('sends the bearer token of a secret on every request, and fails without retry when it is not set', async () => {
    const secrets = new EnvSecretStore({ BATON_SECRET_RESEARCH_TOKEN: 'r3search' });
    const authed = remote({ authSecret: 'RESEARCH_TOKEN' });
    await runtime({ secrets }).invoke(invocation(authed, { mode: 'work' }));
    expect(server.authorizations.length).toBeGreaterThan(1);
    expect(new Set(server.authorizations)).toEqual(new Set(['Bearer r3search']));
    const error = await rejection(runtime().invoke(invocation(authed, { mode: 'reply' })));
    expect(error).toMatchObject({ retryable: false, details: { secret: 'RESEARCH_TOKEN' } });
  });

  it('refuses loopback and private addresses unless allow-listed, the card and the URLs it names alike', async () => {
    const strict = await rejection(runtime({ allow: [] }).invoke(invocation(remote(), { mode: 'reply' })));
    expect(strict).toBeInstanceOf(ForbiddenError);
    expect(strict).toMatchObject({ details: { reason: 'EGRESS_DENIED', range: 'loopback' } });
    const inside = remote({ url: 'http://192.168.1.20/agent' });
    const error = await rejection(runtime().invoke(invocation(inside, { mode: 'reply' })));
    expect(error).toMatchObject({ details: { reason: 'EGRESS_DENIED', range: 'private' } });
    expect(server.authorizations).toEqual([]);
  });

  it('reports an agent that cannot be reached as retryable', async () => {
    const gone = remote({ url: 'http://127.0.0.1:9/' });
    const error = await rejection(runtime({ allow: ['127.0.0.1'] }).invoke(invocation(gone, {})));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('makes an answer of 503 retryable, and an error of the agent final', async () => {
    const down = remote({ url: `${server.base}/down/card.json` });
    const unavailable = await rejection(runtime().invoke(invocation(down, { mode: 'reply' })));
    expect(unavailable).toMatchObject({ code: 'AGENT_FAILED', retryable: true, details: { status: 503 } });
    const refusing = remote({ url: `${server.base}/refusing/card.json` });
    const refused = await rejection(runtime().invoke(invocation(refusing, { mode: 'reply' })));
    expect(refused).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
    expect((refused as Error).message).toContain('this agent takes no messages today');
  });

  it('refuses invalid settings with a DefinitionError naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: undefined }, 'settings.url: is required'],
      [{ url: 'ftp://agents.example.com/' }, 'settings.url: must be an http or https URL, not ftp:'],
      [{ pollIntervalMs: 1 }, 'settings.pollIntervalMs'],
      [{ streaming: 'yes' }, 'settings.streaming: must be a boolean'],
      [{ skil: 'x' }, 'settings.skil: unknown field'],
    ];
    for (const [settings, message] of cases) {
      const error = await rejection(runtime().invoke(invocation(remote(settings), {})));
      expect(error, message).toBeInstanceOf(DefinitionError);
      expect((error as Error).message, message).toContain(message);
    }
  });
});
