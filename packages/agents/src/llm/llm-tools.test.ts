import { DefinitionError, type AgentDefinition } from '@baton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMcpServer, type TestMcpServer } from '../mcp/mcp-servers.test.fixtures.js';
import { remoteAgent, runtimesOf, testServerAccess } from '../net/remote-runtimes.test.fixtures.js';
import { invocation, rejection } from '../samples.test.fixtures.js';
import { FakeModelServer, type FakeReply } from './fake-model-server.test.fixtures.js';
import { LlmAgentRuntime } from './llm-agent-runtime.js';

describe('LlmAgentRuntime with MCP tools', () => {
  let model: FakeModelServer;
  let mcp: TestMcpServer;

  beforeAll(async () => {
    [model, mcp] = await Promise.all([FakeModelServer.start(), startMcpServer()]);
  });
  afterAll(async () => {
    await Promise.all([model.close(), mcp.close()]);
  });
  beforeEach(() => model.reset());

  const runtime = runtimesOf(LlmAgentRuntime, () => ({
    ...testServerAccess(model.baseURL),
    allow: [model.host, new URL(mcp.url).host],
  }));
  const agent = (settings: Record<string, unknown> = {}): AgentDefinition => {
    const { outputSchema: _unused, ...base } = remoteAgent('llm', 'acme.assistant', {
      provider: 'openai-compatible',
      baseURL: model.baseURL,
      model: 'fake-model',
      prompt: 'Answer {{ input.question }}',
      tools: [{ mcp: { url: mcp.url }, names: ['echo'] }],
      ...settings,
    });
    return base;
  };
  const offered = (index: number): unknown =>
    (model.requests[index]?.body['tools'] as { function: { name: string } }[] | undefined)?.map(
      (t) => t.function.name,
    );

  it('calls the MCP tool the model asks for and returns the final text', async () => {
    model.reply(
      { kind: 'tool-calls', calls: [{ name: 'echo', arguments: { text: 'hi', times: 2 } }] },
      { kind: 'text', text: 'The tool said hi hi.' },
    );
    const reports: { message: string; data: unknown }[] = [];
    const call = {
      ...invocation(agent(), { question: 'what?' }),
      progress: (message: string, data?: unknown) => reports.push({ message, data }),
    };
    const result = await runtime().invoke(call);
    expect(result.output).toMatchObject({ text: 'The tool said hi hi.', finishReason: 'stop' });
    expect(reports).toEqual([
      { message: 'tool echo', data: { tool: 'echo', arguments: { text: 'hi', times: 2 } } },
    ]);
    expect(model.requests).toHaveLength(2);
    // Only the named tool is offered, though the server has more.
    expect(offered(0)).toEqual(['echo']);
    const messages = model.requests[1]?.body['messages'] as { role: string; content: unknown }[];
    const toolMessage = messages.find((m) => m.role === 'tool');
    expect(toolMessage).toMatchObject({ tool_call_id: 'call_1' });
    // The MCP server ran the tool with the model's arguments: its answer is what the model got back.
    expect(String(toolMessage?.content)).toContain('hi hi\\ndone');
  });

  it('offers every tool of the server when names is absent', async () => {
    model.reply({ kind: 'text', text: 'No tool needed.' });
    await runtime().invoke(invocation(agent({ tools: [{ mcp: { url: mcp.url } }] }), { question: 'x' }));
    expect(offered(0)).toEqual(expect.arrayContaining(['echo', 'weather', 'refuse', 'slow', 'whoami']));
  });

  it('returns an isError result to the model as an error text', async () => {
    model.reply(
      { kind: 'tool-calls', calls: [{ name: 'refuse', arguments: {} }] },
      { kind: 'text', text: 'The tool refused.' },
    );
    const llm = agent({ tools: [{ mcp: { url: mcp.url }, names: ['refuse'] }] });
    const result = await runtime().invoke(invocation(llm, { question: 'x' }));
    expect(result.output).toMatchObject({ text: 'The tool refused.' });
    const messages = model.requests[1]?.body['messages'] as { role: string; content: unknown }[];
    expect(String(messages.find((m) => m.role === 'tool')?.content)).toContain('quota exceeded for acme');
  });

  it('stops after maxSteps model calls', async () => {
    const loop: FakeReply = { kind: 'tool-calls', calls: [{ name: 'echo', arguments: { text: 'again' } }] };
    model.reply(loop, loop, loop, loop);
    const result = await runtime().invoke(invocation(agent({ maxSteps: 2 }), { question: 'x' }));
    expect(model.requests).toHaveLength(2);
    expect(result.output).toMatchObject({ finishReason: 'tool-calls' });
  });

  it('uses tools and the outputSchema in one call: the last answer is the object', async () => {
    model.reply(
      { kind: 'tool-calls', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
      { kind: 'text', text: '{"summary":"mild in Oslo"}' },
    );
    const llm = {
      ...agent({ tools: [{ mcp: { url: mcp.url }, names: ['weather'] }] }),
      outputSchema: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
    };
    const result = await runtime().invoke(invocation(llm, { question: 'x' }));
    expect(result.output).toEqual({ summary: 'mild in Oslo' });
    expect(model.requests[0]?.body).toMatchObject({ response_format: { type: 'json_schema' } });
  });

  it('refuses a named tool the server does not have', async () => {
    const llm = agent({ tools: [{ mcp: { url: mcp.url }, names: ['nope'] }] });
    const error = await rejection(runtime().invoke(invocation(llm, { question: 'x' })));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
    expect((error as Error).message).toContain('has no tool "nope"');
    expect(model.requests).toHaveLength(0);
  });

  it('refuses invalid tool settings', async () => {
    const llm = agent({ tools: [{ mcp: { url: 'ftp://tools.example.com' } }], maxSteps: 0 });
    const error = await rejection(runtime().invoke(invocation(llm, { question: 'x' })));
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toContain('maxSteps');
  });
});
