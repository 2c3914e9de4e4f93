import http from 'node:http';
import https from 'node:https';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { AgentError } from '@baton/core';
import type { EgressGuard } from '../net/egress-guard.js';

/** What `guardedFetch` needs: the guard every URL must pass, and the cap on a response body. */
export interface GuardedFetchOptions {
  readonly guard: EgressGuard;
  readonly maxResponseBytes: number;
}

/**
 * A `fetch` for the AI SDK's providers that sends nothing the egress guard has not approved. Every URL is
 * checked, and the request goes out with `node:http`/`node:https` pinned to the checked addresses (the global
 * `fetch` cannot be given a `lookup`, so a DNS answer that changes between check and connect would escape
 * it). Each call uses its own connection, redirects are not followed, and the body streams through, so
 * server-sent events arrive as they are sent; a body over the cap fails with a non-retryable `AgentError`.
 *
 * Rejects with the guard's `ForbiddenError`, with a retryable `AgentError` when the connection fails, and
 * with an `AbortError` when the request's signal fires.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof globalThis.fetch {
  return async (input, init) => {
    // A Request gathers what may come as a URL plus init or as a Request, in every spelling of headers.
    const outgoing = new Request(input, init);
    const signal = init?.signal ?? outgoing.signal;
    signal?.throwIfAborted();
    const target = await options.guard.check(outgoing.url);
    signal?.throwIfAborted();
    const body = outgoing.body === null ? undefined : Buffer.from(await outgoing.arrayBuffer());
    const headers = Object.fromEntries(outgoing.headers.entries());
    if (body !== undefined) headers['content-length'] = String(body.byteLength);

    return new Promise<Response>((resolve, reject) => {
      const client = target.url.protocol === 'https:' ? https : http;
      const request = client.request({
        protocol: target.url.protocol,
        hostname: target.hostname,
        port: target.port,
        path: `${target.url.pathname}${target.url.search}`,
        method: outgoing.method,
        agent: false,
        lookup: target.lookup,
        headers,
      });
      const onAbort = (): void => {
        const reason: unknown = signal?.reason;
        const error = reason instanceof Error ? reason : new DOMException('aborted', 'AbortError');
        request.destroy(error);
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      request.on('close', () => signal?.removeEventListener('abort', onAbort));
      request.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code === undefined ? '' : ` (${error.code})`;
        reject(
          new AgentError(`could not reach ${target.url.origin}: ${error.message}${code}`, {
            retryable: true,
            cause: error,
          }),
        );
      });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
        }
        const capped = response.pipe(sizeCap(options.maxResponseBytes, target.url.origin));
        response.on('error', (error) => capped.destroy(brokenOff(target.url.origin, error)));
        const hasBody = status !== 204 && status !== 205 && status !== 304;
        if (!hasBody) response.resume();
        resolve(
          new Response(
            hasBody ? (Readable.toWeb(capped) as NodeReadableStream<Uint8Array> as ReadableStream) : null,
            { status, statusText: response.statusMessage ?? '', headers: responseHeaders },
          ),
        );
      });
      request.end(body);
    });
  };
}

/** Passes bytes through until there are more than `max`, then fails the stream. */
function sizeCap(max: number, origin: string): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > max) {
        callback(
          new AgentError(`the response of ${origin} is larger than the ${max}-byte limit`, {
            retryable: false,
            details: { maxResponseBytes: max },
          }),
        );
      } else {
        callback(null, chunk);
      }
    },
  });
}

function brokenOff(origin: string, error: Error): AgentError {
  return new AgentError(`the response of ${origin} broke off: ${error.message}`, {
    retryable: true,
    cause: error,
  });
}
