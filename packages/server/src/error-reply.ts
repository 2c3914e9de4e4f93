import { DefinitionError, isBatonError, type ErrorCode } from '@baton/core';
import type { ErrorBody } from '@baton/protocol';
import { ApiError } from './api-error.js';

/** What the API answers for an error, and whether the server's operator should hear of it (a 5xx). */
export interface ErrorReply {
  status: number;
  body: ErrorBody;
  log: boolean;
}

/**
 * The HTTP status of each code of Baton's errors, as docs/errors.md lists them. Every code has one: adding a
 * code to `ErrorCode` does not compile until it is given its status here.
 */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'USAGE':
      return 400;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'CANCELLED':
    case 'INPUT_REQUIRED':
      return 409;
    case 'DEFINITION_INVALID':
    case 'EXPRESSION_SYNTAX':
    case 'EXPRESSION_FORBIDDEN':
    case 'EXPRESSION_TYPE':
    case 'EXPRESSION_LIMIT':
    case 'WORKFLOW_CYCLE':
      return 422;
    case 'AGENT_FAILED':
      return 502;
    case 'STORAGE_FAILED':
      return 503;
    case 'TIMEOUT':
      return 504;
  }
}

/**
 * The one place that turns whatever a request threw into a status and an `ErrorBody`: the API's own refusals,
 * Baton's errors (by code), Fastify's refusals of a request it could not read, and — for anything else — a
 * 500 `INTERNAL` that names the request and leaks neither the message nor the stack.
 */
export function errorReply(error: unknown, requestId: string): ErrorReply {
  if (error instanceof ApiError) {
    const problems = error.problems.length > 0 ? { problems: [...error.problems] } : {};
    return reply(error.status, { code: error.code, message: error.message, retryable: false, ...problems });
  }
  if (isBatonError(error)) {
    const status = httpStatusOf(error.code);
    // A definition's problems travel once, as `problems`, not again inside `details`.
    const { problems: _repeated, ...details } = error.details ?? {};
    return reply(status, {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error instanceof DefinitionError ? { problems: error.problems.map((p) => ({ ...p })) } : {}),
      ...(Object.keys(details).length > 0 ? { details } : {}),
    });
  }
  const refused = fastifyRefusal(error);
  if (refused) {
    return reply(refused.status, {
      code: refused.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_REQUEST',
      message: refused.message,
      retryable: false,
    });
  }
  return internal(requestId);
}

function reply(status: number, error: ErrorBody['error']): ErrorReply {
  return { status, body: { error }, log: status >= 500 };
}

function internal(requestId: string): ErrorReply {
  const message = `internal error while handling request ${requestId}; the server's log has the details`;
  return { status: 500, body: { error: { code: 'INTERNAL', message, retryable: false } }, log: true };
}

/**
 * A request Fastify refused before a handler ran: a body that is not JSON, too large, of a type it does not
 * read. Only Fastify's own errors (`FST_…` codes) count, so that a 4xx status some library put on its error
 * does not carry that library's message out.
 */
function fastifyRefusal(error: unknown): { status: number; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, statusCode } = error as Error & { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return undefined;
  return { status: statusCode, message: error.message };
}
