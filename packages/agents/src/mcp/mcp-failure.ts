import { AgentError, type BatonError } from '@baton/core';
import { abortError } from '../abort.js';
import { batonCause } from '../net/guarded-fetch.js';
import type * as McpSdk from './mcp-sdk.js';
import { flatten } from './mcp-result.js';

/**
 * The Baton error an attempt of an `mcp` agent fails with, from whatever the SDK threw:
 *
 * - the signal fired: its reason (the SDK rejects with something else when it tears the request down);
 * - a Baton error anywhere in the cause chain (the egress guard's refusal, a connection failure or a
 *   408/429/5xx answer raised by `guardedFetch`): that error;
 * - an MCP error: retryable when the connection closed or the request timed out, else a protocol error
 *   (invalid arguments, unknown method) that would fail again;
 * - an HTTP answer the transport refused (401, 404 at connect, a wrong content type), a program that
 *   would not start, and anything else: not retryable.
 */
export function mcpFailure(
  error: unknown,
  signal: AbortSignal,
  callee: string,
  sdk: typeof McpSdk,
): BatonError {
  const { ErrorCode, McpError, StreamableHTTPError } = sdk;
  if (signal.aborted) return abortError(signal);
  const baton = batonCause(error);
  if (baton !== undefined) return baton;
  if (error instanceof McpError) {
    const retryable =
      error.code === Number(ErrorCode.ConnectionClosed) || error.code === Number(ErrorCode.RequestTimeout);
    return new AgentError(`${callee}: ${flatten(error.message)}`, {
      retryable,
      cause: error,
      details: { mcpCode: error.code },
    });
  }
  const status = error instanceof StreamableHTTPError ? error.code : undefined;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new AgentError(`${callee}: ${flatten(message)}${typeof code === 'string' ? ` (${code})` : ''}`, {
    retryable: false,
    cause: error,
    ...(status === undefined ? {} : { details: { status } }),
  });
}
