import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { AgentError, isBatonError, type BatonError } from '@baton/core';
import { abortError, raceAbort } from '../abort.js';
import type { EgressGuard } from '../net/egress-guard.js';

/** Options of `guardedFetch`. */
export interface GuardedFetchOptions {
  /** Every URL fetched, redirects and URLs an agent card names included, passes this guard first. */
  readonly guard: EgressGuard;
  /** Headers added to every request that does not set them itself (an auth header). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A response body is cut off with an error beyond this many bytes. Default 8 MiB. */
  readonly maxResponseBytes?: number;
}

/** The default cap on one response body; a server-sent event stream counts as one body. */
export const DEFAULT_MAX_STREAM_BYTES = 8 * 1024 * 1024;

/** Statuses with no body, which `Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the protocol SDKs (MCP, A2A) that every request goes through the egress guard, with the
 * socket pinned to the checked addresses, which the global `fetch` cannot do without the `undici` package
 * (see `postJson`). Bodies stream, so server-sent events work.
 *
 * Errors are Baton errors the runtimes can classify whatever the SDK wraps them in: a refused destination
 * is the guard's `ForbiddenError`; a connection failure, and an answer of 408, 429 or 5xx, a retryable
 * `AgentError` (the SDKs turn those into plain errors that no longer say whether a retry may help); an
 * aborted signal the abort error. Redirects are not followed: the 3xx goes back to the SDK, which checks
 * any URL it follows through this function again.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof fetch {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_STREAM_BYTES;
  return async (input, init) => {
    const request = new Request(input, init);
    const { signal } = request;
    const target = await raceAbort(options.guard.check(request.url), signal);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers[name.toLowerCase()] ??= value;
    }
    if (body !== undefined) headers['content-length'] = String(body.length);

    return new Promise<Response>((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError(signal));
        return;
      }
      const origin = target.url.origin;
      const client = target.url.protocol === 'https:' ? https : http;
      const outgoing = client.request({
        protocol: target.url.protocol,
        hostname: target.hostname,
        port: target.port,
        path: `${target.url.pathname}${target.url.search}`,
        method: request.method,
        // One connection per request, so no pooled socket opened for another check is ever reused.
        agent: false,
        lookup: target.lookup,
        headers,
      });
      const onAbort = (): void => {
        const error = abortError(signal);
        outgoing.destroy(error);
        reject(error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing.on('close', () => signal.removeEventListener('abort', onAbort));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code === undefined ? '' : ` (${error.code})`;
        reject(new AgentError(`could not reach ${origin}: ${error.message}${code}`, { cause: error }));
      });
      outgoing.on('response', (incoming) => {
        const status = incoming.statusCode ?? 0;
        if (status === 408 || status === 429 || status >= 500) {
          incoming.resume();
          const retryAfter = incoming.headers['retry-after'];
          reject(
            new AgentError(`${origin} answered ${status} ${incoming.statusMessage ?? ''}`.trimEnd(), {
              retryable: true,
              details: { status, ...(retryAfter === undefined ? {} : { retryAfter }) },
            }),
          );
          return;
        }
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Stop reading at once: a hostile server could stream without end.
          if (size > maxBytes) {
            incoming.destroy(
              new AgentError(`the response of ${origin} is larger than the ${maxBytes}-byte limit`, {
                retryable: false,
                details: { maxResponseBytes: maxBytes },
              }),
            );
          }
        });
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
          responseHeaders.append(incoming.rawHeaders[i] ?? '', incoming.rawHeaders[i + 1] ?? '');
        }
        const empty = NULL_BODY_STATUSES.has(status) || request.method === 'HEAD';
        if (empty) incoming.resume();
        resolve(
          new Response(empty ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
            status,
            statusText: incoming.statusMessage ?? '',
            headers: responseHeaders,
          }),
        );
      });
      outgoing.end(body);
    });
  };
}

/**
 * The first Baton error among `error` and its causes: how a runtime finds what `guardedFetch` raised under
 * the errors an SDK wraps it in.
 */
export function batonCause(error: unknown): BatonError | undefined {
  let current = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (isBatonError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
