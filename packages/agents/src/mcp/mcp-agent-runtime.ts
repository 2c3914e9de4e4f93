import {
  AgentError,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
} from '@baton/core';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { raceAbort, throwIfAborted } from '../abort.js';
import { ClientPool } from '../net/client-pool.js';
import { RemoteAccess, type RemoteAgentRuntimeOptions } from '../net/remote-access.js';
import { disconnect, listTools, mcpServer, type McpConnection } from './mcp-connection.js';
import { mcpFailure } from './mcp-failure.js';
import { toolOutput, type ToolCallAnswer } from './mcp-result.js';
import type * as McpSdk from './mcp-sdk.js';
import { readMcpSettings, toolArguments } from './mcp-settings.js';

/** Options of `McpAgentRuntime`; all of them are the operator's, never a definition's. */
export interface McpAgentRuntimeOptions extends RemoteAgentRuntimeOptions {
  /**
   * The commands a `stdio` server may be started with, matched exactly against `settings.command`. Empty by
   * default, which refuses every stdio server: starting one runs a program as this process's user.
   */
  stdioCommands?: readonly string[];
  /** Open clients kept for reuse (default 16); the least recently used idle one is closed past that. */
  maxClients?: number;
  /** How long connecting and the MCP handshake may take (default 30 s). */
  connectTimeoutMs?: number;
  /** A response (or event stream) over this size is cut off. Default 8 MiB. */
  maxResponseBytes?: number;
}

/** The longest timer Node keeps; the invocation's signal, not this, is the deadline of a tool call. */
const NO_TIMEOUT = 2_147_483_647;

/**
 * Runs agents that are tools of Model Context Protocol servers (kind `mcp`; settings in `McpAgentSettings`).
 * Each attempt calls the tool with the task's input (or the `arguments` template over it) and the
 * invocation's signal; the server's progress notifications become the task's progress. Clients are kept
 * per server and credentials (`ClientPool`) and closed by `close()`; the SDK is loaded on first use.
 *
 * Servers: `streamable-http` at a URL that passes the egress guard, on every request; `stdio` programs only
 * when the operator listed the command in `stdioCommands` (refused with a `ForbiddenError` otherwise).
 *
 * Contract: the output is the tool's structured content, else `{ text }`. A result with `isError`, an
 * unknown tool (the message lists the tools there are), a protocol error and a missing secret reject with a
 * non-retryable `AgentError`; connection failures, 408/429/5xx answers and a lost connection with a
 * retryable one; invalid settings with a `DefinitionError`. When the signal fires the call is cancelled on
 * the server (`notifications/cancelled`) and rejects with the signal's reason.
 */
export class McpAgentRuntime implements AgentRuntime {
  readonly kind = 'mcp';
  readonly #access: RemoteAccess;
  readonly #stdioCommands: ReadonlySet<string>;
  readonly #connectTimeoutMs: number;
  readonly #maxResponseBytes: number | undefined;
  readonly #pool: ClientPool<McpConnection>;
  #sdk: Promise<typeof McpSdk> | undefined;

  constructor(options: McpAgentRuntimeOptions = {}) {
    this.#access = new RemoteAccess(options);
    this.#stdioCommands = new Set(options.stdioCommands ?? []);
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.#maxResponseBytes = options.maxResponseBytes;
    this.#pool = new ClientPool(options.maxClients ?? 16, disconnect);
  }

  supports(agent: AgentDefinition): boolean {
    return agent.kind === 'mcp';
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    const { agent, signal } = invocation;
    throwIfAborted(signal);
    const settings = readMcpSettings(agent);
    const { server } = settings;
    const where = server.transport === 'stdio' ? `stdio ${server.command}` : server.url;
    const callee = `agent ${agent.id}@${agent.version} (mcp ${where})`;
    const args = toolArguments(settings, invocation.input, callee);
    // Loaded on first use: importing the SDK takes about half a second, which no process should pay for nothing.
    const sdk = await raceAbort((this.#sdk ??= import('./mcp-sdk.js')), signal);
    const reach = {
      sdk,
      access: this.#access,
      stdioCommands: this.#stdioCommands,
      connectTimeoutMs: this.#connectTimeoutMs,
      maxResponseBytes: this.#maxResponseBytes,
    };
    const { key, open } = await mcpServer(reach, server, callee, signal);
    // A kept session may have expired on the server (404): then open a new one, once, and call again.
    for (let round = 0; ; round++) {
      let lease = await this.#pool.lease(key, open, signal);
      if (lease.client.closed) {
        lease.discard();
        lease = await this.#pool.lease(key, open, signal);
      }
      try {
        const output = await this.#call(lease.client, settings.tool, args, invocation, callee);
        lease.release();
        return { output, costUsd: agent.performance.costPerExecution };
      } catch (error) {
        const failure = mcpFailure(error, signal, callee, sdk);
        const stale = !lease.fresh && error instanceof sdk.StreamableHTTPError && error.code === 404;
        if (failure.retryable || stale) lease.discard();
        else lease.release();
        if (!(stale && round === 0)) throw failure;
      }
    }
  }

  /** Closes every kept client: HTTP sessions end, stdio servers are stopped. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #call(
    connection: McpConnection,
    tool: string,
    args: Record<string, unknown>,
    invocation: AgentInvocation,
    callee: string,
  ): Promise<unknown> {
    const { signal } = invocation;
    await this.#checkTool(connection, tool, callee, signal);
    const answer = (await connection.client.callTool({ name: tool, arguments: args }, undefined, {
      signal,
      timeout: NO_TIMEOUT,
      resetTimeoutOnProgress: true,
      onprogress: ({ progress, total, message }) =>
        invocation.progress(message ?? (total === undefined ? `${progress}` : `${progress}/${total}`), {
          progress,
          ...(total === undefined ? {} : { total }),
        }),
    })) as ToolCallAnswer;
    return toolOutput(answer, callee, tool);
  }

  async #checkTool(
    connection: McpConnection,
    tool: string,
    callee: string,
    signal: AbortSignal,
  ): Promise<void> {
    const list = (): Promise<readonly Tool[]> => {
      const listed = listTools(connection.client);
      connection.tools = listed;
      // A failed listing is not kept: the next call lists again.
      listed.catch(() => {
        if (connection.tools === listed) connection.tools = undefined;
      });
      return listed;
    };
    const cached = connection.tools;
    let tools = await raceAbort(cached ?? list(), signal);
    if (cached !== undefined && !tools.some((t) => t.name === tool)) {
      // The server may have added the tool since the list was taken.
      tools = await raceAbort(list(), signal);
    }
    if (!tools.some((t) => t.name === tool)) {
      const names = tools.map((t) => t.name).sort();
      throw new AgentError(
        `${callee} has no tool "${tool}"; it offers ${names.length === 0 ? 'none' : names.join(', ')}`,
        { retryable: false, details: { tool, available: names } },
      );
    }
  }
}
