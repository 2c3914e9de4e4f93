import { ExpressionError } from '../errors/errors.js';
import { DEFAULT_EXPRESSION_LIMITS, validLimit, type EvalOptions } from './limits.js';

/**
 * The state of one evaluation: the scope, the clock, and the work and size budget. One context may span
 * several expressions (every `{{ }}` of a template shares one), so the budget bounds the whole call.
 */
export class EvalContext {
  /** Work done so far, in steps; compiled code increments it on every node visit. */
  steps = 0;
  readonly maxSteps: number;
  readonly maxStringLength: number;
  readonly maxArrayLength: number;
  readonly now: () => number;
  readonly scope: Readonly<Record<string, unknown>>;

  constructor(scope: Readonly<Record<string, unknown>>, options: EvalOptions | undefined) {
    this.scope = scope;
    this.maxSteps = validLimit(options?.maxSteps, DEFAULT_EXPRESSION_LIMITS.maxSteps);
    this.maxStringLength = validLimit(options?.maxStringLength, DEFAULT_EXPRESSION_LIMITS.maxStringLength);
    this.maxArrayLength = validLimit(options?.maxArrayLength, DEFAULT_EXPRESSION_LIMITS.maxArrayLength);
    this.now = options?.now ?? Date.now;
  }

  /** Adds `amount` steps of work (library functions charge for the elements they walk). */
  charge(amount: number): void {
    this.steps += amount;
    if (this.steps > this.maxSteps) this.stepLimitExceeded();
  }

  /** Throws the step-limit error; compiled code calls it once `steps` passes `maxSteps`. */
  stepLimitExceeded(): never {
    throw new ExpressionError(
      'EXPRESSION_LIMIT',
      `expression needed more than ${this.maxSteps} evaluation steps; simplify it or work on less data`,
    );
  }

  /**
   * Checks a string about to be built and charges for it. Building strings costs one step per 128
   * characters so that many large strings cannot exhaust memory even when each one is under the limit.
   */
  checkString(length: number, what: string): void {
    if (length > this.maxStringLength) {
      throw new ExpressionError(
        'EXPRESSION_LIMIT',
        `${what} would build a string of ${length} characters; the limit is ${this.maxStringLength}`,
      );
    }
    if (length >= 128) this.charge(length >>> 7);
  }

  /** Checks an array about to be built and charges one step per eight items, for the same reason. */
  checkArray(length: number, what: string): void {
    if (length > this.maxArrayLength) {
      throw new ExpressionError(
        'EXPRESSION_LIMIT',
        `${what} would build an array of ${length} items; the limit is ${this.maxArrayLength}`,
      );
    }
    if (length >= 8) this.charge(length >>> 3);
  }
}
