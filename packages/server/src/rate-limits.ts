import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';

/** How many requests one client may make in a window; `false` turns the limit off. */
export type RateLimitOptions = { max: number; windowMs: number } | false;

/** By default: 600 requests a minute per client address — ten a second, far above what a person's tools send. */
export const DEFAULT_RATE_LIMIT = { max: 600, windowMs: 60_000 } as const;

/**
 * Limits how fast one client (by address) calls the API: past the limit a request is refused with 429
 * `RATE_LIMITED` and `Retry-After`, before it is read or authenticated, so a flood costs the server little.
 * Liveness probes are never limited. Counted per process, in memory: behind several servers each counts its own.
 */
export function limitRates(app: FastifyInstance, options: RateLimitOptions): void {
  if (options === false) return;
  const { max, windowMs } = options;
  // Registered before the routes, whose hooks it adds as each is declared.
  void app.register(rateLimit, {
    max,
    timeWindow: windowMs,
    allowList: (request) => request.routeOptions.url === '/healthz',
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'RATE_LIMITED',
        `more than ${max} requests in ${windowMs / 1000} s from this client; try again in ${context.after}`,
      ),
  });
}
