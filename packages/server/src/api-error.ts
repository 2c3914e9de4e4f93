import type { HttpErrorCode, ProblemBody } from '@baton/protocol';

/**
 * A request the API refuses before it reaches Baton: a malformed one (`INVALID_REQUEST`, with a problem per
 * wrong field) or one without the right token (`UNAUTHENTICATED`). Errors of Baton itself stay `BatonError`s;
 * `errorReply` turns both into the wire body.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
    readonly problems: readonly ProblemBody[] = [],
  ) {
    super(message);
  }
}
