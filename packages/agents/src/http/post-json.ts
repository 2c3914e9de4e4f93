import type { ClientRequest, IncomingHttpHeaders } from 'node:http';
import { AgentError } from '@baton/core';
import { abortError } from '../abort.js';
import type { EgressTarget } from '../net/egress-guard.js';
import { brokenOff, pinnedRequest, tooLarge, unreachable } from '../net/pinned-request.js';

/** One POST of a JSON body to a target the egress guard approved. */
export interface JsonPost {
  readonly target: EgressTarget;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** The response body is refused beyond this many bytes. */
  readonly maxResponseBytes: number;
}

/** What came back: status, headers and the whole body. */
export interface RawResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * POSTs with `pinnedRequest` rather than the global `fetch`, so the socket is pinned to the addresses the guard
 * checked, on a connection of its own. Redirects are not followed; the caller sees the 3xx.
 *
 * Rejects with the abort error when the signal fires, a non-retryable `AgentError` when the body is over
 * the cap, and a retryable `AgentError` when the connection fails.
 */
export function postJson(post: JsonPost): Promise<RawResponse> {
  const { target, signal } = post;
  return new Promise<RawResponse>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    let settled = false;
    const settle = (error: Error | undefined, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else if (response) {
        resolve(response);
      }
    };
    const onAbort = (): void => settle(abortError(signal));

    let request: ClientRequest;
    try {
      request = pinnedRequest(target, 'POST', {
        ...post.headers,
        'content-length': String(Buffer.byteLength(post.body)),
      });
    } catch (error) {
      // Node refuses a malformed request synchronously (a header with a forbidden character).
      reject(
        new AgentError(`could not send the request to ${target.url.origin}: ${String(error)}`, {
          cause: error,
          retryable: false,
        }),
      );
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: NodeJS.ErrnoException) => settle(unreachable(target, error)));
    request.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > post.maxResponseBytes) {
        settle(tooLarge(target, post.maxResponseBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Stop reading at once: a hostile server could stream without end.
        if (size > post.maxResponseBytes) settle(tooLarge(target, post.maxResponseBytes));
        else chunks.push(chunk);
      });
      response.on('end', () =>
        settle(undefined, {
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
      response.on('error', (error) => settle(brokenOff(target, error)));
    });
    request.end(post.body);
  });
}
