import { z } from 'zod';

/**
 * The error codes only the HTTP API answers with, beside those of Baton's errors (docs/errors.md lists both):
 * - `INVALID_REQUEST` (400, or 415 for a body that is not JSON): the request's shape is wrong — a malformed
 *   body, an unknown or ill-typed parameter; `problems` say where;
 * - `UNAUTHENTICATED` (401): the API wants `Authorization: Bearer <token>` and did not get the right one;
 * - `PAYLOAD_TOO_LARGE` (413): the body is over the server's limit;
 * - `RATE_LIMITED` (429): the client sent more requests than the server takes in its window; `Retry-After`
 *   says when to try again;
 * - `INTERNAL` (500): a fault of the server; the message names the request, the server's log has the rest.
 */
export const HttpErrorCodeSchema = z.enum([
  'INVALID_REQUEST',
  'UNAUTHENTICATED',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
]);
export type HttpErrorCode = z.infer<typeof HttpErrorCodeSchema>;
