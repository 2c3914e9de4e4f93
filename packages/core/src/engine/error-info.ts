import { isBatonError } from '../errors/baton-error.js';
import type { ErrorInfo } from '../execution/records.js';

/**
 * The stored form of anything an agent or expression threw. Baton errors keep their code and `retryable`;
 * anything else is an unexpected agent failure, retryable because a second attempt may well succeed.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (isBatonError(error)) {
    return {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'AGENT_FAILED', message: message || 'the agent failed without a message', retryable: true };
}
