/**
 * Every error code Baton can raise. A closed union so that the server maps each to an HTTP status in one
 * place and `docs/errors.md` can list them all. Codes are stable: clients switch on them.
 */
export type ErrorCode =
  | 'DEFINITION_INVALID'
  | 'EXPRESSION_SYNTAX'
  | 'EXPRESSION_FORBIDDEN'
  | 'EXPRESSION_TYPE'
  | 'EXPRESSION_LIMIT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'AGENT_FAILED'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'STORAGE_FAILED'
  | 'FORBIDDEN'
  | 'USAGE'
  | 'WORKFLOW_CYCLE'
  | 'INPUT_REQUIRED';

/** Options shared by every Baton error. */
export interface BatonErrorOptions {
  /** The lower-level error this one explains. */
  cause?: unknown;
  /** Whether trying the same operation again may succeed. Defaults per subclass. */
  retryable?: boolean;
  /** Machine-readable details, safe to show to the user. */
  details?: Record<string, unknown>;
}

/**
 * The base of every error Baton raises on purpose. Anything else that escapes is a bug.
 * `retryable` is explicit so the engine never guesses whether to try again.
 */
export class BatonError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: BatonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  /** A plain-data form for logs, events and HTTP bodies. */
  toJSON(): { code: ErrorCode; message: string; retryable: boolean; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** True when `value` is a Baton error, optionally with the given code. */
export function isBatonError(value: unknown, code?: ErrorCode): value is BatonError {
  return value instanceof BatonError && (code === undefined || value.code === code);
}
