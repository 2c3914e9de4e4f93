import type { IncomingMessage } from 'node:http';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { AgentError, isBatonError, type BatonError } from '@baton/core';
import { abortError, raceAbort } from '../abort.js';
import type { EgressGuard, EgressTarget } from './egress-guard.js';
import { brokenOff, pinnedRequest, tooLarge, unreachable } from './pinned-request.js';

/** Options of `guardedFetch`; all of them are the runtime's, never a definition's. */
export interface GuardedFetchOptions {
  /** Every URL fetched, redirects and URLs an agent card names included, passes this guard first. */
  readonly guard: EgressGuard;
  /** Headers added to every request that does not set them itself (an auth header). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** A response body is cut off with an error beyond this many bytes. Default 8 MiB. */
  readonly maxResponseBytes?: number | undefined;
  /**
   * Rejects an answer of 408, 429 or 5xx with a retryable `AgentError` (`details.status`, `retryAfter`)
   * instead of returning it: for SDKs that turn those answers into plain errors which no longer say whether a
   * retry may help (MCP, A2A). Off for an SDK that classifies statuses itself (the AI SDK).
   */
  readonly rejectRetryableStatuses?: boolean;
}

/** The default cap on one response body; a server-sent event stream counts as one body. */
export const DEFAULT_MAX_STREAM_BYTES = 8 * 1024 * 1024;

/** Statuses with no body, which `Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the SDKs of the remote kinds (the AI SDK's providers, MCP, A2A) that sends nothing the egress
 * guard has not approved: every URL is checked, and the request goes out pinned to the checked addresses
 * (`pinnedRequest`), so a DNS answer that changes between check and connect cannot escape it. Each call uses
 * its own connection and the body streams through, so server-sent events arrive as they are sent. Redirects
 * are not followed: the 3xx goes back to the SDK, which checks any URL it follows through this function
 * again.
 *
 * Errors are Baton errors the runtimes can classify whatever the SDK wraps them in (`batonCause`): a refused
 * destination is the guard's `ForbiddenError`; a connection failure or a body that broke off a retryable
 * `AgentError`, a body over the cap a non-retryable one; an aborted signal the abort error.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof globalThis.fetch {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_STREAM_BYTES;
  return async (input, init) => {
    // A Request gathers what may come as a URL plus init or as a Request, in every spelling of headers.
    const request = new Request(input, init);
    const { signal } = request;
    const target = await raceAbort(options.guard.check(request.url), signal);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers = Object.fromEntries(request.headers.entries());
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      headers[name.toLowerCase()] ??= value;
    }
    if (body !== undefined) headers['content-length'] = String(body.length);

    return new Promise<Response>((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError(signal));
        return;
      }
      const outgoing = pinnedRequest(target, request.method, headers);
      const onAbort = (): void => {
        const error = abortError(signal);
        outgoing.destroy(error);
        reject(error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing.on('close', () => signal.removeEventListener('abort', onAbort));
      outgoing.on('error', (error: NodeJS.ErrnoException) => reject(unreachable(target, error)));
      outgoing.on('response', (incoming) => {
        const status = incoming.statusCode ?? 0;
        if (options.rejectRetryableStatuses === true && (status === 408 || status === 429 || status >= 500)) {
          incoming.resume();
          const retryAfter = incoming.headers['retry-after'];
          reject(
            new AgentError(
              `${target.url.origin} answered ${status} ${incoming.statusMessage ?? ''}`.trimEnd(),
              {
                retryable: true,
                details: { status, ...(retryAfter === undefined ? {} : { retryAfter }) },
              },
            ),
          );
          return;
        }
        const empty = NULL_BODY_STATUSES.has(status) || request.method === 'HEAD';
        resolve(toResponse(incoming, empty ? undefined : maxBytes, target));
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

/** The answer as a `Response`, its body capped at `maxBytes`; no body when `maxBytes` is undefined. */
function toResponse(incoming: IncomingMessage, maxBytes: number | undefined, target: EgressTarget): Response {
  const init = {
    status: incoming.statusCode ?? 0,
    statusText: incoming.statusMessage ?? '',
    // Every header line as sent, repeated ones joined, as the global `fetch` gives them.
    headers: new Headers(),
  };
  for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
    init.headers.append(incoming.rawHeaders[i] ?? '', incoming.rawHeaders[i + 1] ?? '');
  }
  if (maxBytes === undefined) {
    incoming.resume();
    return new Response(null, init);
  }
  const capped = sizeCap(maxBytes, target);
  incoming.on('error', (error) => capped.destroy(brokenOff(target, error)));
  // Past the cap, or when the reader cancels, stop reading at once: a hostile server could stream forever.
  capped.on('close', () => {
    if (!incoming.complete) incoming.destroy();
  });
  incoming.pipe(capped);
  return new Response(Readable.toWeb(capped) as NodeReadableStream<Uint8Array> as ReadableStream, init);
}

/** Passes bytes through until there are more than `max`, then fails the stream. */
function sizeCap(max: number, target: EgressTarget): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > max) callback(tooLarge(target, max));
      else callback(null, chunk);
    },
  });
}
