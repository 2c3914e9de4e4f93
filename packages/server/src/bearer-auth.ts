import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ApiError } from './api-error.js';

/**
 * The routes anyone may call, by their pattern: liveness probes carry no token. Matched on the route found,
 * not on the raw URL, so that no spelling of a path (`//api`, `%2e%2e`) slips past.
 */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['/healthz']);

/**
 * The one authentication hook of the API until sessions and API keys exist: with a token configured, every
 * request but the open routes must carry `Authorization: Bearer <token>`, else it is refused with 401
 * `UNAUTHENTICATED` — before its body is read, and unknown routes alike, so that a caller without the token
 * learns nothing of what exists.
 */
export function bearerAuth(token: string): onRequestHookHandler {
  // Compared as digests of equal length: `timingSafeEqual` needs equal lengths, and comparing the raw strings
  // would give away the token's length through timing.
  const expected = digest(token);
  return (request, _reply, done) => {
    if (OPEN_ROUTES.has(request.routeOptions.url ?? '')) {
      done();
      return;
    }
    const given = bearerToken(request);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) {
      done();
      return;
    }
    done(
      new ApiError(
        401,
        'UNAUTHENTICATED',
        given === undefined
          ? 'this API needs a token: send "Authorization: Bearer <token>" (the server\'s BATON_API_TOKEN)'
          : 'the bearer token is not the one this server accepts',
      ),
    );
  };
}

function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
