import { fileURLToPath } from 'node:url';
import {
  AgentError,
  CancelledError,
  DefinitionError,
  ForbiddenError,
  type AgentInvocation,
} from '@baton/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { remoteAgent, runtimesOf, testServerAccess } from '../net/remote-runtimes.test.fixtures.js';
import { invocation, rejection } from '../samples.test.fixtures.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import { McpAgentRuntime } from './mcp-agent-runtime.js';
import { startMcpServer, type TestMcpServer } from './mcp-servers.test.fixtures.js';

const stdioServer = fileURLToPath(new URL('./mcp-stdio-server.test.fixtures.js', import.meta.url));

describe('McpAgentRuntime', () => {
  let server: TestMcpServer;

  beforeAll(async () => {
    server = await startMcpServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const runtime = runtimesOf(McpAgentRuntime, () => testServerAccess(server.url));
  const agent = (settings: Record<string, unknown>) => remoteAgent('mcp', 'acme.tools', settings);
  const tool = (name: string, extra: Record<string, unknown> = {}) =>
    agent({ url: server.url, tool: name, ...extra });

  it('supports mcp agents only', () => {
    expect(runtime().supports(tool('echo'))).toBe(true);
    expect(runtime().supports({ ...tool('echo'), kind: 'http' })).toBe(false);
  });

  it('calls the tool with the task input and joins its text content', async () => {
    const result = await runtime().invoke(invocation(tool('echo'), { text: 'hi', times: 2 }));
    expect(result).toEqual({
      output: { text: 'hi hi\ndone' },
      costUsd: tool('echo').performance.costPerExecution,
    });
  });

  it('maps the input to the tool arguments with the arguments template', async () => {
    const mapped = tool('echo', { arguments: { text: 'Dear {{ input.name }}', times: '{{ input.count }}' } });
    const result = await runtime().invoke(invocation(mapped, { name: 'Ada', count: 3, ignored: true }));
    expect(result.output).toEqual({ text: 'Dear Ada Dear Ada Dear Ada\ndone' });
    const whole = tool('weather', { arguments: '{{ input.place }}' });
    expect((await runtime().invoke(invocation(whole, { place: { city: 'Oslo' } }))).output).toMatchObject({
      city: 'Oslo',
    });
    const error = await rejection(runtime().invoke(invocation(whole, { place: 'Oslo' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
    expect((error as Error).message).toContain('settings.arguments must give an object, not a string');
  });

  it('returns the structured content when the tool gives some', async () => {
    const result = await runtime().invoke(invocation(tool('weather'), { city: 'Lyon' }));
    expect(result.output).toEqual({ city: 'Lyon', tempC: 21.5 });
  });

  it('turns a result marked isError into a non-retryable error with the tool message', async () => {
    const error = await rejection(runtime().invoke(invocation(tool('refuse'), {})));
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ retryable: false, details: { tool: 'refuse', isError: true } });
    expect((error as Error).message).toContain(
      'the tool "refuse" reported an error: quota exceeded for acme',
    );
  });

  it('refuses an unknown tool without retry, listing the tools the server has', async () => {
    const error = await rejection(runtime().invoke(invocation(tool('ecoh'), { text: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false, details: { tool: 'ecoh' } });
    expect((error as Error).message).toContain(
      'has no tool "ecoh"; it offers echo, hang, refuse, slow, weather, whoami',
    );
  });

  it('reports the progress notifications of the server', async () => {
    const progress = vi.fn<AgentInvocation['progress']>();
    const result = await runtime().invoke({ ...invocation(tool('slow'), {}), progress });
    expect(result.output).toEqual({ text: 'slow done' });
    expect(progress.mock.calls).toEqual([
      ['step 1 of 3', { progress: 1, total: 3 }],
      ['step 2 of 3', { progress: 2, total: 3 }],
      ['step 3 of 3', { progress: 3, total: 3 }],
    ]);
  });

  it('cancels the call on the server and rejects with the reason when aborted', async () => {
    const controller = new AbortController();
    const pending = runtime().invoke(invocation(tool('hang'), {}, { signal: controller.signal }));
    await vi.waitFor(() => expect(server.open()).toBeGreaterThan(0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new CancelledError('run cancelled');
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    await vi.waitFor(() => expect(server.cancelled.length).toBe(1));
  });

  it('keeps one session per server for successive calls, and ends it on close', async () => {
    const before = server.opened();
    const shared = runtime();
    await shared.invoke(invocation(tool('echo'), { text: 'a' }));
    await Promise.all([
      shared.invoke(invocation(tool('echo'), { text: 'b' })),
      shared.invoke(invocation(tool('weather'), { city: 'Rome' })),
    ]);
    expect(server.opened() - before).toBe(1);
    const open = server.open();
    await shared.close();
    expect(server.open()).toBe(open - 1);
  });

  it('opens a new session, once, when the kept one expired on the server', async () => {
    const shared = runtime();
    await shared.invoke(invocation(tool('echo'), { text: 'a' }));
    const before = server.opened();
    server.forget();
    expect((await shared.invoke(invocation(tool('echo'), { text: 'b' }))).output).toEqual({
      text: 'b\ndone',
    });
    expect(server.opened() - before).toBe(1);
  });

  it('sends the bearer token of a secret, and fails without retry when it is not set', async () => {
    const secrets = new EnvSecretStore({ BATON_SECRET_TOOLS_TOKEN: 't0ken' });
    const authed = tool('whoami', { authSecret: 'TOOLS_TOKEN' });
    expect((await runtime({ secrets }).invoke(invocation(authed, {}))).output).toEqual({
      text: 'Bearer t0ken',
    });
    expect((await runtime().invoke(invocation(tool('whoami'), {}))).output).toEqual({ text: 'anonymous' });
    const error = await rejection(runtime().invoke(invocation(authed, {})));
    expect(error).toMatchObject({ retryable: false, details: { secret: 'TOOLS_TOKEN' } });
    expect((error as Error).message).toContain('needs the secret "TOOLS_TOKEN"');
  });

  it('refuses loopback and private addresses unless the operator allow-listed them, before any request', async () => {
    const before = server.opened();
    const strict = runtime({ allow: [] });
    const loopback = await rejection(strict.invoke(invocation(tool('echo'), { text: 'x' })));
    expect(loopback).toBeInstanceOf(ForbiddenError);
    expect(loopback).toMatchObject({
      retryable: false,
      details: { reason: 'EGRESS_DENIED', range: 'loopback' },
    });
    const inside = agent({ url: 'http://10.1.2.3:8080/mcp', tool: 'echo' });
    const error = await rejection(runtime().invoke(invocation(inside, { text: 'x' })));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({
      details: { reason: 'EGRESS_DENIED', range: 'private', address: '10.1.2.3' },
    });
    expect(server.opened()).toBe(before);
  });

  it('reports a server that cannot be reached as retryable', async () => {
    const gone = agent({ url: 'http://127.0.0.1:9/mcp', tool: 'echo' });
    const error = await rejection(runtime({ allow: ['127.0.0.1'] }).invoke(invocation(gone, { text: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('makes an answer of 503 a retryable error', async () => {
    const down = agent({ url: new URL('/unavailable', server.url).href, tool: 'echo' });
    const error = await rejection(runtime().invoke(invocation(down, { text: 'x' })));
    expect(error).toMatchObject({
      code: 'AGENT_FAILED',
      retryable: true,
      details: { status: 503, retryAfter: '3' },
    });
  });

  it('starts a stdio server only with a command the operator allowed, with the given environment', async () => {
    const stdio = agent({
      transport: 'stdio',
      command: process.execPath,
      args: [stdioServer],
      env: { GREETING: 'stdio' },
      tool: 'shout',
    });
    const refused = await rejection(runtime().invoke(invocation(stdio, { text: 'hey' })));
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((refused as Error).message).toContain('BATON_MCP_STDIO_COMMANDS');
    const allowed = runtime({ stdioCommands: [process.execPath] });
    expect((await allowed.invoke(invocation(stdio, { text: 'hey' }))).output).toEqual({
      text: 'HEY from stdio',
    });
    expect((await allowed.invoke(invocation(stdio, { text: 'again' }))).output).toEqual({
      text: 'AGAIN from stdio',
    });
  });

  it('refuses invalid settings with a DefinitionError naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: server.url }, 'settings.tool: is required'],
      [{ tool: 'echo' }, 'settings.url: is required for the streamable-http transport'],
      [{ url: 'ftp://x.example.com/', tool: 'echo' }, 'settings.url: must be an http or https URL, not ftp:'],
      [
        { url: server.url, tool: 'echo', command: 'node' },
        'settings.command: applies to the stdio transport only',
      ],
      [{ transport: 'stdio', tool: 'echo' }, 'settings.command: is required for the stdio transport'],
      [
        { transport: 'stdio', command: 'npx', tool: 'echo', env: { PATH: '/tmp' } },
        'settings.env.PATH: may not be set by a definition',
      ],
      [
        { url: server.url, tool: 'echo', headers: { Authorization: 'x' } },
        'settings.headers.Authorization: is a header the runtime sets itself, or a credential',
      ],
      [{ url: server.url, tool: 'echo', authSecret: 'a-b' }, 'settings.authSecret: must be a secret name'],
      [{ url: server.url, tool: 'echo', tol: 1 }, 'settings.tol: unknown field'],
    ];
    for (const [settings, message] of cases) {
      const error = await rejection(runtime().invoke(invocation(agent(settings), {})));
      expect(error, message).toBeInstanceOf(DefinitionError);
      expect((error as Error).message, message).toContain(message);
    }
  });
});
