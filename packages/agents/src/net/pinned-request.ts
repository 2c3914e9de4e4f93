import http, { type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { AgentError } from '@baton/core';
import type { EgressTarget } from './egress-guard.js';

/**
 * Opens a request with `node:http`/`node:https` to a target the egress guard approved. The global `fetch`
 * cannot be given a connector without the `undici` package, while `http.request` takes a `lookup`, which pins
 * the socket to the addresses the guard checked. Each request uses its own connection (`agent: false`), so
 * no pooled socket opened for another host or check is ever reused. Redirects are not followed.
 *
 * Node throws at once on a malformed request (a header with a forbidden character).
 */
export function pinnedRequest(
  target: EgressTarget,
  method: string,
  headers: OutgoingHttpHeaders,
): http.ClientRequest {
  const client = target.url.protocol === 'https:' ? https : http;
  return client.request({
    protocol: target.url.protocol,
    hostname: target.hostname,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    method,
    agent: false,
    lookup: target.lookup,
    headers,
  });
}

/** The retryable error of a connection to `target` that failed (refused, reset, TLS). */
export function unreachable(target: EgressTarget, error: NodeJS.ErrnoException): AgentError {
  const code = error.code === undefined ? '' : ` (${error.code})`;
  return new AgentError(`could not reach ${target.url.origin}: ${error.message}${code}`, {
    retryable: true,
    cause: error,
  });
}

/** The non-retryable error of a response body over `maxResponseBytes`: the same call would get it again. */
export function tooLarge(target: EgressTarget, maxResponseBytes: number): AgentError {
  return new AgentError(
    `the response of ${target.url.origin} is larger than the ${maxResponseBytes}-byte limit`,
    { retryable: false, details: { maxResponseBytes } },
  );
}

/** The retryable error of a response body that broke off before its end. */
export function brokenOff(target: EgressTarget, error: Error): AgentError {
  return new AgentError(`the response of ${target.url.origin} broke off: ${error.message}`, {
    retryable: true,
    cause: error,
  });
}
