import { AgentError, type AgentInvocation } from '@baton/core';
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolSet } from 'ai';
import { raceAbort } from '../abort.js';
import type { ClientPool, Lease } from '../net/client-pool.js';
import { listTools, mcpServer, type McpConnection, type McpReach } from '../mcp/mcp-connection.js';
import { mcpFailure } from '../mcp/mcp-failure.js';
import { flatten, toolOutput, type ToolCallAnswer } from '../mcp/mcp-result.js';
import type { AiSdk } from './ai-sdk.js';
import type { LlmToolSource } from './llm-settings.js';

/** The longest timer Node keeps; the invocation's signal, not this, is the deadline of a tool call. */
const NO_TIMEOUT = 2_147_483_647;

/** What a tool's `execute` gives the SDK: the mapped result, or the tool's own refusal for the model. */
type ToolReply =
  { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: string };

/** The tools offered to the model, and the MCP clients they hold until the invocation ends. */
export interface LlmTools {
  readonly tools: ToolSet;
  /** Gives the clients back to the pool; call once, whatever the outcome. */
  release(): void;
}

/**
 * Lists the tools of each source's MCP server (through the egress guard and `pool`) and makes AI SDK tools of
 * those the source names (all when it names none). A named tool the server lacks, or one name offered by two
 * servers, rejects with a non-retryable `AgentError`. Each call is reported as progress (`tool <name>`) and runs
 * under the invocation's signal; a result marked `isError` goes back to the model as an error text.
 */
export async function llmTools(
  sdk: AiSdk,
  reach: McpReach,
  pool: ClientPool<McpConnection>,
  sources: readonly LlmToolSource[],
  invocation: AgentInvocation,
  callee: string,
): Promise<LlmTools> {
  const { signal } = invocation;
  const leases: Lease<McpConnection>[] = [];
  const release = (): void => {
    for (const lease of leases.splice(0)) lease.release();
  };
  const tools: ToolSet = {};
  try {
    for (const [index, source] of sources.entries()) {
      const where = `${callee}: settings.tools[${index}] (mcp ${source.mcp.url})`;
      const server = { transport: 'streamable-http' as const, ...source.mcp };
      let lease: Lease<McpConnection>;
      let listed: readonly McpTool[];
      try {
        const { key, open } = await mcpServer(reach, server, where, signal);
        lease = await pool.lease(key, open, signal);
        if (lease.client.closed) {
          lease.discard();
          lease = await pool.lease(key, open, signal);
        }
        leases.push(lease);
        listed = await raceAbort((lease.client.tools ??= listTools(lease.client.client)), signal);
      } catch (error) {
        throw mcpFailure(error, signal, where, reach.sdk);
      }
      const wanted = source.names ?? listed.map((t) => t.name);
      for (const name of wanted) {
        const found = listed.find((t) => t.name === name);
        if (found === undefined) {
          const names = listed.map((t) => t.name).sort();
          throw new AgentError(`${where} has no tool "${name}"; it offers ${names.join(', ') || 'none'}`, {
            retryable: false,
            details: { tool: name, available: names },
          });
        }
        if (name in tools) {
          throw new AgentError(`${where}: the tool "${name}" is offered by two servers`, {
            retryable: false,
            details: { tool: name },
          });
        }
        tools[name] = mcpTool(sdk, reach, lease.client, found, invocation, where);
      }
    }
  } catch (error) {
    release();
    throw error;
  }
  return { tools, release };
}

function mcpTool(
  sdk: AiSdk,
  reach: McpReach,
  connection: McpConnection,
  tool: McpTool,
  invocation: AgentInvocation,
  where: string,
): ToolSet[string] {
  return sdk.ai.dynamicTool({
    ...(tool.description === undefined ? {} : { description: tool.description }),
    inputSchema: sdk.ai.jsonSchema(tool.inputSchema),
    execute: async (input, options): Promise<ToolReply> => {
      const args = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
      invocation.progress(`tool ${tool.name}`, { tool: tool.name, arguments: args });
      const signal = options.abortSignal ?? invocation.signal;
      let answer: ToolCallAnswer;
      try {
        answer = (await connection.client.callTool({ name: tool.name, arguments: args }, undefined, {
          signal,
          timeout: NO_TIMEOUT,
        })) as ToolCallAnswer;
      } catch (error) {
        throw mcpFailure(error, signal, where, reach.sdk);
      }
      if ('content' in answer && answer.isError === true) {
        const text = (answer.content ?? []).flatMap((b) => (b.type === 'text' ? [b.text] : [])).join(' ');
        return { ok: false, error: flatten(text) || 'the tool reported an error' };
      }
      return { ok: true, output: toolOutput(answer, where, tool.name) };
    },
    toModelOutput: ({ output }) => {
      const reply = output as ToolReply;
      return reply.ok
        ? { type: 'json', value: (reply.output ?? null) as never }
        : { type: 'error-text', value: reply.error };
    },
  });
}
