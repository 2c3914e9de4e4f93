import { ExpressionError } from '../errors/errors.js';

/** Limits checked while an expression is parsed and compiled. Every field falls back to the default below. */
export interface CompileOptions {
  /** Longest accepted expression source, in characters. */
  maxSourceLength?: number;
  /** Deepest accepted nesting of the syntax tree (brackets, operators, calls). */
  maxDepth?: number;
}

/**
 * How one evaluation runs: the clock that `now()`/`today()` read, and the limits on work and on the size of
 * every string and array built along the way. The compile limits apply where the call also compiles
 * (`evaluateExpression`, `renderTemplate`, `resolveTemplates`).
 */
export interface EvalOptions extends CompileOptions {
  /** Epoch milliseconds; the only source of time. Defaults to `Date.now`. */
  now?: () => number;
  /** Node visits allowed for one evaluation, arrow callbacks included; library work on arrays counts too. */
  maxSteps?: number;
  /** Longest string an expression may build, in characters. */
  maxStringLength?: number;
  /** Longest array an expression may build. */
  maxArrayLength?: number;
}

/** The limits used when an option is left out. */
export const DEFAULT_EXPRESSION_LIMITS = Object.freeze({
  maxSourceLength: 10_000,
  maxDepth: 200,
  maxSteps: 100_000,
  maxStringLength: 1_000_000,
  maxArrayLength: 100_000,
});

/** The compile limits with defaults filled in. */
export interface ResolvedCompileLimits {
  readonly maxSourceLength: number;
  readonly maxDepth: number;
}

/** Fills in the default compile limits. */
export function resolveCompileLimits(options: CompileOptions | undefined): ResolvedCompileLimits {
  return {
    maxSourceLength: validLimit(options?.maxSourceLength, DEFAULT_EXPRESSION_LIMITS.maxSourceLength),
    maxDepth: validLimit(options?.maxDepth, DEFAULT_EXPRESSION_LIMITS.maxDepth),
  };
}

/** A configured limit, or the default when it is missing or not a non-negative number (NaN would disable it). */
export function validLimit(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value >= 0 ? value : fallback;
}

/** True when `options` asks for the default compile limits, so a shared cache entry can serve it. */
export function usesDefaultCompileLimits(options: CompileOptions | undefined): boolean {
  const limits = resolveCompileLimits(options);
  return (
    limits.maxSourceLength === DEFAULT_EXPRESSION_LIMITS.maxSourceLength &&
    limits.maxDepth === DEFAULT_EXPRESSION_LIMITS.maxDepth
  );
}

/** The error for an expression nested deeper than allowed. */
export function depthLimitError(maxDepth: number, index?: number): ExpressionError {
  return new ExpressionError(
    'EXPRESSION_LIMIT',
    `expression is nested more than ${maxDepth} levels deep; split it into simpler expressions`,
    index === undefined ? {} : { index },
  );
}

/**
 * Runs `work`, turning a stack overflow (`RangeError`) into an `EXPRESSION_LIMIT` error. The depth limit
 * normally stops deep expressions first; this is the backstop when the limits were raised far.
 */
export function withStackGuard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw stackOverflowAsLimit(error);
  }
}

/** `error`, or the `EXPRESSION_LIMIT` error standing for it when it is a stack overflow. */
export function stackOverflowAsLimit(error: unknown): unknown {
  if (!(error instanceof RangeError)) return error;
  return new ExpressionError('EXPRESSION_LIMIT', 'expression is nested too deeply to process; simplify it', {
    cause: error,
  });
}
