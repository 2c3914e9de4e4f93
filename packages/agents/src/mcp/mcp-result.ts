import { AgentError } from '@baton/core';
import type { ContentBlock } from '@modelcontextprotocol/sdk/types.js';

/** How long a message taken from a tool's answer may be in an error. */
const MAX_MESSAGE_LENGTH = 300;

/** What `Client.callTool` resolves with: a result, or the `toolResult` of the 2024-10-07 protocol. */
export type ToolCallAnswer =
  | { content?: ContentBlock[]; structuredContent?: Record<string, unknown>; isError?: boolean }
  | { toolResult: unknown };

/**
 * The output of an `mcp` agent from the tool's answer: the structured content when the tool gives some,
 * else `{ text }` with the text blocks (and the text of embedded resources) joined by new lines. A result
 * marked `isError` is the tool saying no: a non-retryable `AgentError` carrying the tool's own message.
 */
export function toolOutput(answer: ToolCallAnswer, callee: string, tool: string): unknown {
  if ('toolResult' in answer) return answer.toolResult;
  const text = (answer.content ?? [])
    .flatMap((block) => {
      if (block.type === 'text') return [block.text];
      if (block.type === 'resource' && 'text' in block.resource) return [block.resource.text];
      return [];
    })
    .join('\n');
  if (answer.isError === true) {
    const said = flatten(text) || 'no message';
    throw new AgentError(`${callee}: the tool "${tool}" reported an error: ${said}`, {
      retryable: false,
      details: { tool, isError: true },
    });
  }
  return answer.structuredContent ?? { text };
}

/** One line of at most `MAX_MESSAGE_LENGTH` characters; control characters could forge log lines. */
export function flatten(raw: string): string {
  const flat = raw.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  return flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH)}…` : flat;
}
