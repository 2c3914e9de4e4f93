import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/**
 * Test fixtures: a real MCP server (the SDK's `McpServer` over streamable HTTP on 127.0.0.1) whose tools echo,
 * answer with structured content, report an error, send progress, wait to be cancelled and tell which
 * `Authorization` header they got. Tests only.
 */
export interface TestMcpServer {
  readonly url: string;
  /** Sessions the server has opened, and those still open. */
  readonly opened: () => number;
  readonly open: () => number;
  /** Requests of the `hang` tool the client cancelled. */
  readonly cancelled: string[];
  /** Forgets every session, as a restarted server would: their next requests get a 404. */
  forget(): void;
  close(): Promise<void>;
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function toolServer(cancelled: string[]): McpServer {
  const server = new McpServer({ name: 'test-tools', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echoes the text', inputSchema: { text: z.string(), times: z.number().optional() } },
    ({ text, times }) => ({
      content: [
        { type: 'text', text: Array.from({ length: times ?? 1 }, () => text).join(' ') },
        { type: 'text', text: 'done' },
      ],
    }),
  );
  server.registerTool(
    'weather',
    {
      description: 'The weather of a city',
      inputSchema: { city: z.string() },
      outputSchema: { city: z.string(), tempC: z.number() },
    },
    ({ city }) => {
      const structuredContent = { city, tempC: 21.5 };
      return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
    },
  );
  server.registerTool('refuse', { description: 'Always says no' }, () => ({
    isError: true,
    content: [{ type: 'text', text: 'quota exceeded\nfor acme' }],
  }));
  server.registerTool('slow', { description: 'Reports progress' }, async (extra) => {
    const token = extra._meta?.progressToken;
    for (let step = 1; step <= 3; step++) {
      if (token !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: step, total: 3, message: `step ${step} of 3` },
        });
      }
      await tick(5);
    }
    return { content: [{ type: 'text', text: 'slow done' }] };
  });
  server.registerTool('hang', { description: 'Waits until cancelled' }, async (extra) => {
    await new Promise((resolve) => extra.signal.addEventListener('abort', resolve, { once: true }));
    cancelled.push(String(extra.requestId));
    return { content: [] };
  });
  server.registerTool('whoami', { description: 'The Authorization header it got' }, (extra) => ({
    content: [{ type: 'text', text: String(extra.requestInfo?.headers['authorization'] ?? 'anonymous') }],
  }));
  return server;
}

/** Starts the server on an ephemeral port of 127.0.0.1, one MCP session per client. */
export async function startMcpServer(): Promise<TestMcpServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const cancelled: string[] = [];
  let opened = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.url === '/unavailable') {
      res.writeHead(503, { 'retry-after': '3' }).end('down for maintenance');
      return;
    }
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (transport === undefined) {
      if (id !== undefined) {
        res.writeHead(404).end();
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => {
          opened++;
          sessions.set(sessionId, created);
        },
        onsessionclosed: (sessionId) => {
          sessions.delete(sessionId);
        },
      });
      await toolServer(cancelled).connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    opened: () => opened,
    open: () => sessions.size,
    cancelled,
    forget: () => sessions.clear(),
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
