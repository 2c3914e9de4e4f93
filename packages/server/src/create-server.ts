import Fastify, { type FastifyInstance } from 'fastify';
import { BatonError } from '@baton/core';
import type { Baton } from '@baton/embedded';
import type { ErrorBody } from '@baton/protocol';
import { tokenProblem } from './api-binding.js';
import { bearerAuth } from './bearer-auth.js';
import { errorReply } from './error-reply.js';
import { agentRoutes } from './routes/agents.js';
import { approvalRoutes } from './routes/approvals.js';
import { DEFAULT_RATE_LIMIT, limitRates, type RateLimitOptions } from './rate-limits.js';
import { healthzRoutes } from './routes/healthz.js';
import { openApiRoutes } from './routes/openapi.js';
import type { StreamTiming } from './routes/run-event-stream.js';
import { runRoutes } from './routes/runs.js';
import { workflowRoutes } from './routes/workflows.js';

/** The largest request body the API reads by default: 1 MiB, far above any agent definition. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** What a request that failed on the server looked like, for whoever logs server faults. */
export interface FailedRequest {
  id: string;
  method: string;
  url: string;
}

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** The Baton the API serves; the caller opens it and closes it after the server. */
  baton: Baton;
  /**
   * With a token, every route but `/healthz` needs `Authorization: Bearer <token>` (at least
   * `MIN_API_TOKEN_LENGTH` characters). Without one, the API is open: bind it to loopback only.
   */
  apiToken?: string;
  /** The largest request body in bytes; a larger one is refused with 413 `PAYLOAD_TOO_LARGE`. */
  bodyLimit?: number;
  /** Hears of every 5xx answer with the error behind it; the client sees only the request's id. */
  onServerError?: (error: unknown, request: FailedRequest) => void;
  /** Requests one client may make per window (default {@link DEFAULT_RATE_LIMIT}); `false` turns it off. */
  rateLimit?: RateLimitOptions;
  /** How often run event streams send a heartbeat comment (default 15 s) and poll runs driven elsewhere (500 ms). */
  streams?: StreamTiming;
}

/**
 * The HTTP API over a Baton, not yet listening (`app.inject()` in tests, `listenApi` to serve). Each resource is
 * a plugin under `routes/` (agents, workflows, runs, approvals); errors of every route go through one handler
 * (`errorReply`), and one hook checks the token, so that new resources, sessions or API keys slot in beside them.
 */
export function createServer(options: CreateServerOptions): FastifyInstance {
  const { baton, apiToken } = options;
  const weak = apiToken === undefined ? undefined : tokenProblem(apiToken);
  if (weak !== undefined) throw new BatonError('USAGE', weak);
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Agent ids may be 200 characters long; Fastify's default cuts path parameters at 100.
    routerOptions: { maxParamLength: 300 },
  });
  limitRates(app, options.rateLimit ?? DEFAULT_RATE_LIMIT);
  if (apiToken !== undefined) app.addHook('onRequest', bearerAuth(apiToken));
  app.setErrorHandler((error, request, reply) => {
    const { status, body, log } = errorReply(error, request.id);
    if (log) options.onServerError?.(error, { id: request.id, method: request.method, url: request.url });
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]?.slice(0, 300) ?? '';
    const body: ErrorBody = {
      error: { code: 'NOT_FOUND', message: `no route ${request.method} ${path}`, retryable: false },
    };
    return reply.code(404).send(body);
  });
  void app.register(healthzRoutes);
  void app.register(agentRoutes, { prefix: '/api/v1', baton });
  void app.register(workflowRoutes, { prefix: '/api/v1', baton });
  void app.register(runRoutes, {
    prefix: '/api/v1',
    baton,
    ...(options.streams ? { streams: options.streams } : {}),
  });
  void app.register(approvalRoutes, { prefix: '/api/v1', baton });
  void app.register(openApiRoutes, { prefix: '/api/v1' });
  return app;
}
