import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { AgentError } from '@baton/core';
import { abortError } from '../abort.js';
import type { EgressTarget } from '../net/egress-guard.js';

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
 * POSTs with `node:http`/`node:https` rather than the global `fetch`: the bundled undici cannot be given a
 * connector without the `undici` package, while `http.request` takes a `lookup`, which pins the socket to
 * the addresses the guard checked. Each call uses its own connection (`agent: false`) so no pooled socket
 * opened for another host or check is ever reused. Redirects are not followed; the caller sees the 3xx.
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

    const client = target.url.protocol === 'https:' ? https : http;
    let request: http.ClientRequest;
    try {
      request = client.request({
        protocol: target.url.protocol,
        hostname: target.hostname,
        port: target.port,
        path: `${target.url.pathname}${target.url.search}`,
        method: 'POST',
        agent: false,
        lookup: target.lookup,
        headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
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

    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code === undefined ? '' : ` (${error.code})`;
      settle(
        new AgentError(`could not reach ${target.url.origin}: ${error.message}${code}`, {
          retryable: true,
          cause: error,
        }),
      );
    });
    request.on('response', (response) => {
      const tooLarge = (): AgentError =>
        new AgentError(
          `the response of ${target.url.origin} is larger than the ${post.maxResponseBytes}-byte limit`,
          { retryable: false, details: { maxResponseBytes: post.maxResponseBytes } },
        );
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > post.maxResponseBytes) {
        settle(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Stop reading at once: a hostile server could stream without end.
        if (size > post.maxResponseBytes) settle(tooLarge());
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
      response.on('error', (error) => {
        settle(
          new AgentError(`the response of ${target.url.origin} broke off: ${error.message}`, {
            retryable: true,
            cause: error,
          }),
        );
      });
    });
    request.end(post.body);
  });
}
