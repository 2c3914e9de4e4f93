import { AgentError, type BatonError } from '@baton/core';
import { abortError } from '../abort.js';
import { batonCause } from '../net/guarded-fetch.js';
import { flatten } from '../mcp/mcp-result.js';

/**
 * The Baton error an attempt of an `a2a` agent fails with, from whatever the SDK threw:
 *
 * - the signal fired: its reason;
 * - a Baton error anywhere in the cause chain (the egress guard's refusal, a connection failure or a
 *   408/429/5xx answer raised by `guardedFetch`, a failed remote task): that error;
 * - anything else — a JSON-RPC error of the agent (task not found, unsupported operation), another HTTP
 *   status, an answer that breaks the protocol, no transport in common — is not retryable: the same
 *   message would get the same answer.
 */
export function a2aFailure(error: unknown, signal: AbortSignal, callee: string): BatonError {
  if (signal.aborted) return abortError(signal);
  const baton = batonCause(error);
  if (baton !== undefined) return baton;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  return new AgentError(`${callee}: ${flatten(message)}`, {
    retryable: false,
    cause: error,
    ...(typeof code === 'number' ? { details: { a2aCode: code } } : {}),
  });
}
