import type { EvalContext } from './eval-context.js';

/** The parameters of the arrow functions being evaluated, innermost first. */
export interface Frame {
  readonly values: readonly unknown[];
  readonly parent: Frame | undefined;
}

/** A compiled node: computes its value for one evaluation context and the enclosing arrow parameters. */
export type Evaluator = (ctx: EvalContext, frame: Frame | undefined) => unknown;

/**
 * An arrow function passed to an iteration function (`filter`, `map`, …). It exists only for the duration
 * of that call and is never a value an expression can hold, return or store.
 */
export class Callback {
  readonly #body: Evaluator;
  readonly #frame: Frame | undefined;

  constructor(body: Evaluator, frame: Frame | undefined) {
    this.#body = body;
    this.#frame = frame;
  }

  /** Runs the arrow's body with `values` bound to its parameters, in order. */
  call(ctx: EvalContext, ...values: unknown[]): unknown {
    return this.#body(ctx, { values, parent: this.#frame });
  }
}
