import { BatonError, type BatonErrorOptions, type ErrorCode } from './baton-error.js';

/** One problem found in a document, with the JSON path to where it is. */
export interface Problem {
  /** Stable machine-readable code, e.g. `UNKNOWN_NODE`. */
  code: string;
  /** JSON path into the document, e.g. `nodes[3].inputs.document`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** `error` makes the document unusable; `warning` is worth a look but runs. */
  severity: 'error' | 'warning';
}

/** A workflow or agent definition that cannot be used as written. Carries every problem found. */
export class DefinitionError extends BatonError {
  readonly problems: readonly Problem[];

  constructor(message: string, problems: readonly Problem[], options: BatonErrorOptions = {}) {
    super('DEFINITION_INVALID', message, {
      ...options,
      details: { ...options.details, problems: problems.map((p) => ({ ...p })) },
    });
    this.problems = problems;
  }
}

/** A thing that was asked for by id does not exist (in the caller's org). */
export class NotFoundError extends BatonError {
  constructor(message: string, options: BatonErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

/** The operation clashes with the current state: a duplicate id, a stale version, a finished run. */
export class ConflictError extends BatonError {
  constructor(message: string, options: BatonErrorOptions = {}) {
    super('CONFLICT', message, options);
  }
}

/** An agent call failed. Retryable unless the agent said otherwise. */
export class AgentError extends BatonError {
  constructor(message: string, options: BatonErrorOptions = {}) {
    super('AGENT_FAILED', message, { retryable: true, ...options });
  }
}

/**
 * An agent stopped to ask a person something (an A2A task in `input-required`, a function agent that needs a
 * decision it cannot make). Not a failure of the run: the task waits for a person, whose answer reaches the
 * next attempt (`inputReplyOf(invocation.checkpoint)`). The message is the question; `details` hold what the
 * agent needs to carry on where it stopped (a remote task id, say), handed back with the answer.
 */
export class InputRequiredError extends BatonError {
  constructor(question: string, options: Omit<BatonErrorOptions, 'retryable'> = {}) {
    super('INPUT_REQUIRED', question, { ...options, retryable: false });
  }
}

/** An operation ran past its deadline. Retryable by default. */
export class TimeoutError extends BatonError {
  constructor(message: string, options: BatonErrorOptions = {}) {
    super('TIMEOUT', message, { retryable: true, ...options });
  }
}

/** An operation was cancelled by a person or by its run ending. Never retried. */
export class CancelledError extends BatonError {
  constructor(message: string, options: BatonErrorOptions = {}) {
    super('CANCELLED', message, { ...options, retryable: false });
  }
}

/** The store failed or is unusable (locked, corrupt, unreachable). */
export class StorageError extends BatonError {
  constructor(message: string, options: BatonErrorOptions = {}) {
    super('STORAGE_FAILED', message, options);
  }
}

/** The caller may not do this. */
export class ForbiddenError extends BatonError {
  constructor(message: string, options: BatonErrorOptions = {}) {
    super('FORBIDDEN', message, options);
  }
}

/**
 * An expression could not be parsed, touched something it may not, had the wrong type, or ran past a limit.
 * Never retryable: the same expression over the same data fails the same way.
 */
export class ExpressionError extends BatonError {
  /** Character offset into the expression source, where known. */
  readonly index: number | undefined;

  constructor(
    code: Extract<ErrorCode, `EXPRESSION_${string}`>,
    message: string,
    options: BatonErrorOptions & { index?: number } = {},
  ) {
    super(code, message, { ...options, retryable: false });
    this.index = options.index;
  }
}
