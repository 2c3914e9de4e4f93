import { AgentError } from '@baton/core';
import { parseUntrustedJson } from '../net/untrusted-json.js';
import type { RawResponse } from './post-json.js';

/** How long a message taken from a response body may be in an error. */
const MAX_MESSAGE_LENGTH = 300;

/**
 * Turns a response into the agent's output or the right error. `callee` names the agent and endpoint in
 * messages (`acme.scorer@1.0.0 (https://scoring.example.com/v1/score)`).
 *
 * - 2xx: the body parsed as JSON (`null` for 204/205, which have none); a body that is not JSON, or is not
 *   labelled as JSON, is a non-retryable error since the same call would get the same answer.
 * - 408, 429 and 5xx: a retryable `AgentError` (`details.retryAfter` carries a `Retry-After` header).
 * - 3xx: refused, non-retryable: a redirect could lead anywhere, so point the endpoint at the final URL.
 * - other 4xx: non-retryable, with the message the body gives.
 */
export function interpretResponse(response: RawResponse, callee: string): unknown {
  const { status } = response;
  const details: Record<string, unknown> = { status };
  if (status >= 200 && status < 300) {
    if ((status === 204 || status === 205) && response.body.length === 0) return null;
    if (!isJsonType(response.headers['content-type'])) {
      throw new AgentError(
        `${callee} answered ${status} with ${response.headers['content-type'] ?? 'no content type'}; ` +
          'an http agent must answer with a JSON body (Content-Type: application/json)',
        { retryable: false, details },
      );
    }
    try {
      return parseUntrustedJson(response.body.toString('utf8'));
    } catch (error) {
      throw new AgentError(
        `${callee} answered ${status} with a body that is not valid JSON: ${message(error)}`,
        {
          retryable: false,
          cause: error,
          details,
        },
      );
    }
  }
  const reason = `${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (status >= 300 && status < 400) {
    const location = response.headers.location;
    throw new AgentError(
      `${callee} answered ${reason}${location ? ` to ${location}` : ''}; redirects are not followed, ` +
        'so set the endpoint to the final URL',
      { retryable: false, details },
    );
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfter = response.headers['retry-after'];
  if (retryable && retryAfter !== undefined) details['retryAfter'] = retryAfter;
  const said = bodyMessage(response);
  throw new AgentError(`${callee} answered ${reason}${said ? `: ${said}` : ''}`, { retryable, details });
}

function isJsonType(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * The message an error body gives: `message`, `error` (a string or an object with `message`), `detail` or
 * `title` of a JSON body (RFC 9457 problem details included), else the start of a text body.
 */
function bodyMessage(response: RawResponse): string {
  const text = response.body.toString('utf8');
  let found: unknown;
  if (isJsonType(response.headers['content-type'])) {
    try {
      const body = parseUntrustedJson(text);
      if (typeof body === 'object' && body !== null) {
        const record = body as Record<string, unknown>;
        const error = record['error'];
        found =
          [record['message'], error, record['detail'], record['title']].find((v) => typeof v === 'string') ??
          (typeof error === 'object' && error !== null
            ? (error as Record<string, unknown>)['message']
            : undefined);
      } else if (typeof body === 'string') {
        found = body;
      }
    } catch {
      found = undefined;
    }
  }
  const raw = typeof found === 'string' ? found : text;
  // Control characters could forge log lines; collapse them with the other whitespace.
  const flat = raw.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  return flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH)}…` : flat;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
