import { AgentError, isBatonError, type BatonError } from '@baton/core';
import type { AiSdk } from './ai-sdk.js';

/** How long a message taken from a provider may be in an error. */
const MAX_MESSAGE_LENGTH = 500;

/** Who failed, for messages, and the secret that must never appear in one. */
export interface FailureContext {
  /** e.g. `llm agent acme.summariser@1.0.0 (https://llm.example.com/v1, model qwen2.5)`. */
  readonly callee: string;
  /** The API key's value, scrubbed from every message in case a provider echoes it. */
  readonly secret: string | undefined;
}

/**
 * Turns whatever a model call threw into the Baton error the engine acts on:
 *
 * - a Baton error anywhere in the cause chain (the egress guard's `ForbiddenError`, a connection failure or
 *   an oversized body from `guardedFetch`) is passed on as it is;
 * - an HTTP answer: 408, 429 and 5xx are retryable (as for `http` agents) (`details.retryAfter` from `Retry-After`), 3xx is
 *   refused since redirects are not followed, other 4xx are final with the provider's message; a 2xx the
 *   SDK could not read (not JSON, wrong shape) is final;
 * - no object matching the `outputSchema` is final, with what the model got wrong;
 * - anything else is a retryable `AgentError`, as the port treats unknown failures.
 */
export function llmFailure(error: unknown, context: FailureContext, { ai }: AiSdk): BatonError {
  const { APICallError, NoObjectGeneratedError, RetryError } = ai;
  const baton = findBatonError(error, ai);
  if (baton !== undefined) return baton;
  const failure = RetryError.isInstance(error) ? error.lastError : error;
  const say = (text: string): string => scrub(text, context.secret);

  if (APICallError.isInstance(failure)) {
    const status = failure.statusCode;
    if (status === undefined) {
      return new AgentError(`${context.callee} could not be reached: ${say(failure.message)}`, {
        retryable: failure.isRetryable,
        cause: failure,
      });
    }
    const details: Record<string, unknown> = { status };
    if (status >= 200 && status < 300) {
      const why = failure.cause instanceof Error ? failure.cause.message : failure.message;
      return new AgentError(
        `${context.callee} answered ${status} with a body it could not read: ${say(why)}`,
        {
          retryable: false,
          cause: failure,
          details,
        },
      );
    }
    if (status >= 300 && status < 400) {
      return new AgentError(
        `${context.callee} answered ${status}; redirects are not followed, so set baseURL to the final URL`,
        { retryable: false, cause: failure, details },
      );
    }
    const retryable = status === 408 || status === 429 || status >= 500;
    const retryAfter = failure.responseHeaders?.['retry-after'];
    if (retryable && retryAfter !== undefined) details['retryAfter'] = retryAfter;
    return new AgentError(`${context.callee} answered ${status}: ${say(failure.message)}`, {
      retryable,
      cause: failure,
      details,
    });
  }

  if (NoObjectGeneratedError.isInstance(failure)) {
    // The innermost cause says what was wrong (`score: Too small`, `Unexpected token`) without the
    // SDK's wrapping, which repeats the whole answer.
    const why = innermost(failure).message;
    return new AgentError(
      `${context.callee} answered with no object matching the agent's outputSchema: ${say(why)}`,
      { retryable: false, cause: failure, details: { finishReason: failure.finishReason ?? null } },
    );
  }

  const message = failure instanceof Error ? failure.message : String(failure);
  return new AgentError(`${context.callee} failed: ${say(message)}`, { retryable: true, cause: failure });
}

function findBatonError(error: unknown, ai: AiSdk['ai']): BatonError | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    if (isBatonError(current)) return current;
    seen.add(current);
    if (ai.RetryError.isInstance(current) && isBatonError(current.lastError)) return current.lastError;
  }
  return undefined;
}

function innermost(error: Error): Error {
  let current = error;
  for (let depth = 0; current.cause instanceof Error && depth < 10; depth++) current = current.cause;
  return current;
}

/** One line, without the secret, cut to a readable length. */
function scrub(text: string, secret: string | undefined): string {
  const hidden = secret === undefined || secret === '' ? text : text.split(secret).join('[redacted]');
  // Control characters could forge log lines; collapse them with the other white space.
  const flat = hidden.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  return flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH)}…` : flat;
}
