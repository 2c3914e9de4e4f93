import { ForbiddenError } from '@baton/core';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { raceAbort } from '../abort.js';
import { guardedFetch } from '../net/guarded-fetch.js';
import type { RemoteAccess } from '../net/remote-access.js';
import { stableHash } from '../stable-hash.js';
import type * as McpSdk from './mcp-sdk.js';
import type { McpServerSettings } from './mcp-settings.js';

/** An open MCP client, as the pool keeps it. */
export interface McpConnection {
  readonly client: Client;
  /** Ends an HTTP session (a DELETE the server may refuse); stdio servers have none. */
  readonly terminate: (() => Promise<void>) | undefined;
  /** The server's tools, listed once per connection and again when a tool is not found. */
  tools: Promise<readonly Tool[]> | undefined;
  /** Set when the transport closed: a stdio server that exited, a session torn down. */
  closed: boolean;
}

/** What reaching a server needs from the runtime; all of it is the operator's. */
export interface McpReach {
  readonly sdk: typeof McpSdk;
  readonly access: RemoteAccess;
  readonly stdioCommands: ReadonlySet<string>;
  readonly connectTimeoutMs: number;
  readonly maxResponseBytes: number | undefined;
}

/**
 * The pool key of a server with its credentials, and how to connect to it. The refusals come first, before
 * anything is sent or started: a stdio command the operator did not allow (`ForbiddenError`), a URL the
 * egress guard refuses, a secret that is not set (non-retryable `AgentError`).
 */
export async function mcpServer(
  reach: McpReach,
  server: McpServerSettings,
  callee: string,
  signal: AbortSignal,
): Promise<{ key: string; open: () => Promise<McpConnection> }> {
  const { sdk } = reach;
  if (server.transport === 'stdio') {
    if (!reach.stdioCommands.has(server.command)) {
      throw new ForbiddenError(
        `${callee} refused: the command "${server.command}" is not allowed for stdio MCP servers; an ` +
          'operator allows commands with BATON_MCP_STDIO_COMMANDS (or the stdioCommands option)',
        { retryable: false, details: { command: server.command } },
      );
    }
    const { command, args, env } = server;
    return {
      key: stableHash('stdio', command, JSON.stringify(args), JSON.stringify(sorted(env))),
      // The SDK adds only a few harmless variables (HOME, PATH, USER…) to `env`, never this process's secrets.
      open: () =>
        connect(
          reach,
          new sdk.StdioClientTransport({ command, args: [...args], env: { ...env }, stderr: 'ignore' }),
        ),
    };
  }
  const { access } = reach;
  await raceAbort(access.guard.check(server.url), signal);
  const headers: Record<string, string> = { ...server.headers };
  if (server.authSecret !== undefined) {
    const token = await access.secret(server.authSecret, 'settings.authSecret', callee, signal);
    headers['authorization'] = `Bearer ${token}`;
  }
  const fetch = guardedFetch({
    guard: access.guard,
    maxResponseBytes: reach.maxResponseBytes,
    rejectRetryableStatuses: true,
  });
  return {
    key: stableHash('http', server.url, JSON.stringify(sorted(headers))),
    open: () =>
      connect(
        reach,
        new sdk.StreamableHTTPClientTransport(new URL(server.url), { fetch, requestInit: { headers } }),
      ),
  };
}

/** Ends an HTTP session politely, then closes the client; a stdio server is stopped. */
export async function disconnect({ client, terminate }: McpConnection): Promise<void> {
  await terminate?.().catch(() => undefined);
  await client.close();
}

/** Every tool of the server, following the pages of `tools/list`. */
export async function listTools(client: Client): Promise<readonly Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

async function connect(reach: McpReach, transport: Transport): Promise<McpConnection> {
  const { sdk } = reach;
  const client = new sdk.Client({ name: 'baton', version: '0.1.0' });
  const terminate =
    transport instanceof sdk.StreamableHTTPClientTransport ? () => transport.terminateSession() : undefined;
  const connection: McpConnection = { client, terminate, tools: undefined, closed: false };
  client.onclose = () => (connection.closed = true);
  try {
    await client.connect(transport, { timeout: reach.connectTimeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return connection;
}

function sorted(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
