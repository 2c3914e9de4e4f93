import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_CARD_PATH, Role, SSE_HEADERS, TaskState, formatSSEEvent, type AgentCard } from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  JsonRpcTransportHandler,
  UnauthenticatedUser,
  defaultServerCallContextBuilder,
  type AgentExecutor,
} from '@a2a-js/sdk/server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunEvent } from '@baton/core';
import type { Baton } from './create-baton.js';
import { createBaton } from './create-baton.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const origin = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** An MCP server with a `weather` tool that answers with structured content, one session per client. */
function mcpServer(): Promise<Server> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  return listen(async (req, res) => {
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (transport === undefined) {
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, created),
      });
      const tools = new McpServer({ name: 'weather', version: '1.0.0' });
      tools.registerTool(
        'weather',
        { inputSchema: { city: z.string() }, outputSchema: { city: z.string(), tempC: z.number() } },
        ({ city }) => ({ content: [], structuredContent: { city, tempC: city.length * 3 } }),
      );
      await tools.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
}

/**
 * An A2A agent that turns the text it is sent into a task with a `brief` artifact; text that says "which year"
 * makes it ask which year first (`input-required`), and the answer completes the task.
 */
async function a2aServer(): Promise<Server> {
  const questions = new Map<string, string>();
  const executor: AgentExecutor = {
    cancelTask: () => Promise.resolve(),
    execute: ({ taskId, contextId, userMessage, task }, bus) => {
      const said = userMessage.parts
        .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
        .join('');
      const textPart = (value: string) => ({
        content: { $case: 'text' as const, value },
        metadata: undefined,
        filename: '',
        mediaType: '',
      });
      const status = (state: TaskState, question?: string) => ({
        state,
        timestamp: new Date().toISOString(),
        message:
          question === undefined
            ? undefined
            : {
                messageId: randomUUID(),
                contextId,
                taskId,
                role: Role.ROLE_AGENT,
                parts: [textPart(question)],
                metadata: undefined,
                extensions: [],
                referenceTaskIds: [],
              },
      });
      // A follow-up turn answers the question the task stopped with; the first message is kept for it.
      const asked = task === undefined ? undefined : questions.get(taskId);
      const brief = textPart(asked === undefined ? `Brief: ${said}` : `Brief: ${asked} in ${said}`);
      bus.publish(
        AgentEvent.task(
          task ?? {
            id: taskId,
            contextId,
            status: status(TaskState.TASK_STATE_SUBMITTED),
            artifacts: [],
            history: [],
            metadata: undefined,
          },
        ),
      );
      if (task === undefined && said.includes('which year')) {
        questions.set(taskId, said.replace(' which year', ''));
        bus.publish(
          AgentEvent.statusUpdate({
            taskId,
            contextId,
            status: status(TaskState.TASK_STATE_INPUT_REQUIRED, 'Which year should the brief cover?'),
            metadata: undefined,
          }),
        );
        bus.finished();
        return Promise.resolve();
      }
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: status(TaskState.TASK_STATE_WORKING),
          metadata: undefined,
        }),
      );
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: 'brief',
            name: 'brief',
            description: '',
            parts: [brief],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: status(TaskState.TASK_STATE_COMPLETED),
          metadata: undefined,
        }),
      );
      bus.finished();
      return Promise.resolve();
    },
  };
  let base = '';
  const card = (): AgentCard => ({
    name: 'Writer',
    description: 'Writes briefs',
    supportedInterfaces: [
      { url: `${base}/rpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
    ],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      {
        id: 'brief',
        name: 'Brief',
        description: '',
        tags: [],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  });
  const rpc = new JsonRpcTransportHandler(
    new DefaultRequestHandler(card(), new InMemoryTaskStore(), executor),
  );
  const server = await listen(async (req, res) => {
    if (req.method === 'GET' && req.url === `/${AGENT_CARD_PATH}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(card()));
      return;
    }
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const user = new UnauthenticatedUser();
    const context = defaultServerCallContextBuilder({
      extensions: undefined,
      user,
      headers: req.headers,
      requestedVersion: '1.0',
    });
    const answer = await rpc.handle(body, context);
    if (!(Symbol.asyncIterator in answer)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    res.writeHead(200, SSE_HEADERS);
    for await (const event of answer) res.write(formatSSEEvent(event));
    res.end();
  });
  base = origin(server);
  return server;
}

describe('mcp and a2a agents in createBaton', () => {
  let baton: Baton;
  let dispose: () => Promise<void>;
  const servers: Server[] = [];

  let dataDir: string;
  const egressAllow = (): string[] => servers.map((s) => new URL(origin(s)).host);

  beforeAll(async () => {
    const [tools, writer] = await Promise.all([mcpServer(), a2aServer()]);
    servers.push(tools, writer);
    ({ baton, dispose, dataDir } = await tempBaton({ egressAllow: egressAllow() }));
    baton.registerAgent(
      functionAgent('t.weather', {
        kind: 'mcp',
        settings: { url: `${origin(tools)}/mcp`, tool: 'weather', arguments: { city: '{{ input.place }}' } },
      }),
    );
    baton.registerAgent(
      functionAgent('t.writer', {
        kind: 'a2a',
        settings: { url: origin(writer), skill: 'brief', text: '{{ input.city }} is at {{ input.tempC }} C' },
      }),
    );
  });
  let disposeReopened = (): Promise<void> => Promise.resolve();
  afterAll(async () => {
    await disposeReopened();
    await dispose();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('runs a workflow that calls an MCP tool and hands its result to a remote A2A agent', async () => {
    const workflow = {
      id: 'forecast',
      name: 'Forecast brief',
      version: '1.0.0',
      nodes: [
        { id: 'lookup', type: 'agent', agent: { id: 't.weather' }, inputs: { place: '{{ input.city }}' } },
        {
          id: 'brief',
          type: 'agent',
          agent: { id: 't.writer' },
          inputs: { city: '{{ nodes.lookup.output.city }}', tempC: '{{ nodes.lookup.output.tempC }}' },
        },
      ],
      edges: [{ from: 'lookup', to: 'brief' }],
      outputs: {
        tempC: { value: 'nodes.lookup.output.tempC' },
        brief: { value: 'nodes.brief.output.text' },
        state: { value: 'nodes.brief.output.state' },
      },
    };
    const run = await baton.run(workflow, { city: 'Oslo' });
    expect(run.status, run.error?.message).toBe('completed');
    expect(run.output).toEqual({ tempC: 12, brief: 'Brief: Oslo is at 12 C', state: 'completed' });
    const brief = (await baton.getRun(run.id))?.tasks.find((t) => t.nodeId === 'brief');
    expect(brief?.output).toMatchObject({
      taskId: expect.any(String) as string,
      artifacts: [{ artifactId: 'brief' }],
    });
  });

  it('asks a person when the remote agent needs input, across a restart, and carries on with the answer', async () => {
    const writer = servers[1]!;
    await baton.saveAgent(
      functionAgent('t.asking-writer', {
        kind: 'a2a',
        settings: { url: origin(writer), text: '{{ input.topic }} which year' },
      }),
    );
    const workflow = {
      id: 'yearly-brief',
      name: 'Yearly brief',
      version: '1.0.0',
      nodes: [
        {
          id: 'brief',
          type: 'agent',
          agent: { id: 't.asking-writer' },
          inputs: { topic: '{{ input.topic }}' },
        },
      ],
      edges: [],
      outputs: { brief: { value: 'nodes.brief.output.text' } },
    };
    const asked = new Promise<RunEvent>((resolve) => {
      const stop = baton.subscribe('*', (event) => {
        if (event.type !== 'approval.requested') return;
        stop();
        resolve(event);
      });
    });
    const started = await baton.startRun(workflow, { topic: 'Tides' });
    expect(await asked).toMatchObject({
      taskKey: 'brief',
      kind: 'input',
      options: ['reply', 'skip', 'abort'],
      message: 't.asking-writer@1.0.0 asks: Which year should the brief cover?',
    });
    expect((await baton.getRun(started.id))?.run.status).toBe('waiting');

    // The question survives a restart: another process answers it.
    await baton.close();
    const reopened = await createBaton({ dataDir, egressAllow: egressAllow() });
    disposeReopened = () => reopened.close();
    baton = reopened;
    await expect(baton.decide(started.id, 'brief', 'retry', 'ana')).rejects.toThrow(
      /choose reply, skip, abort/,
    );
    await baton.reply(started.id, 'brief', '2024', { by: 'ana' });
    const done = await baton.waitForRun(started.id);
    expect(done.status, done.error?.message).toBe('completed');
    expect(done.output).toEqual({ brief: 'Brief: Tides in 2024' });
    const events = await baton.readEvents(started.id);
    expect(events.find((e) => e.type === 'approval.decided')).toMatchObject({
      decision: 'reply',
      by: 'ana',
      reply: '2024',
    });
    const task = (await baton.getRun(started.id))?.tasks.find((t) => t.key === 'brief');
    // One remote task from question to answer; the asking attempt is not counted as an execution.
    expect(task).toMatchObject({ attempt: 2, status: 'succeeded' });
    const replay = await baton.replayRun(started.id);
    expect(replay.divergence).toBeUndefined();
    expect(replay.matches).toBe(true);
  });
});
