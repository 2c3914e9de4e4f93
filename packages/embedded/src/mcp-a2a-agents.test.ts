import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_CARD_PATH, SSE_HEADERS, TaskState, formatSSEEvent, type AgentCard } from '@a2a-js/sdk';
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
import type { Baton } from './create-baton.js';
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

/** An A2A agent that turns the text it is sent into a task with a `brief` artifact. */
async function a2aServer(): Promise<Server> {
  const executor: AgentExecutor = {
    cancelTask: () => Promise.resolve(),
    execute: ({ taskId, contextId, userMessage }, bus) => {
      const said = userMessage.parts
        .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
        .join('');
      const status = (state: TaskState) => ({
        state,
        timestamp: new Date().toISOString(),
        message: undefined,
      });
      const brief = {
        content: { $case: 'text' as const, value: `Brief: ${said}` },
        metadata: undefined,
        filename: '',
        mediaType: '',
      };
      bus.publish(
        AgentEvent.task({
          id: taskId,
          contextId,
          status: status(TaskState.TASK_STATE_SUBMITTED),
          artifacts: [],
          history: [],
          metadata: undefined,
        }),
      );
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

  beforeAll(async () => {
    const [tools, writer] = await Promise.all([mcpServer(), a2aServer()]);
    servers.push(tools, writer);
    ({ baton, dispose } = await tempBaton({ egressAllow: servers.map((s) => new URL(origin(s)).host) }));
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
  afterAll(async () => {
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
});
