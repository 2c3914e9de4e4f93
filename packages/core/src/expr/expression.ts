import { compileTree } from './compiler.js';
import type { Evaluator } from './callback.js';
import { EvalContext } from './eval-context.js';
import { LruCache } from './lru-cache.js';
import {
  resolveCompileLimits,
  stackOverflowAsLimit,
  usesDefaultCompileLimits,
  withStackGuard,
  type CompileOptions,
  type EvalOptions,
} from './limits.js';
import { parseExpression } from './parser.js';

/** An expression parsed and compiled once, to be evaluated many times over different scopes. */
export interface CompiledExpression {
  /** The text the expression was compiled from. */
  readonly source: string;
  /**
   * The value of the expression over `scope` (plain data; its own properties are the names the expression
   * can use). Throws `ExpressionError`: `EXPRESSION_TYPE` for values of the wrong kind or unknown names,
   * `EXPRESSION_FORBIDDEN` for forbidden keys met at run time, `EXPRESSION_LIMIT` past a limit.
   * The compile limits in `options` are ignored here: the expression is already compiled.
   */
  evaluate(scope: Readonly<Record<string, unknown>>, options?: EvalOptions): unknown;
}

/** The compiled form, which templates also run inside an evaluation context they share. */
export class CompiledExpressionImpl implements CompiledExpression {
  readonly source: string;
  readonly #run: Evaluator;

  constructor(source: string, run: Evaluator) {
    this.source = source;
    this.#run = run;
  }

  evaluate(scope: Readonly<Record<string, unknown>>, options?: EvalOptions): unknown {
    return this.evaluateIn(new EvalContext(scope, options));
  }

  /** Evaluates within an existing context, sharing its step budget. */
  evaluateIn(ctx: EvalContext): unknown {
    // A plain try/catch rather than withStackGuard: no closure is allocated on this hot path.
    try {
      return this.#run(ctx, undefined);
    } catch (error) {
      throw stackOverflowAsLimit(error);
    }
  }
}

const CACHE_SIZE = 1_000;
const cache = new LruCache<string, CompiledExpressionImpl>(CACHE_SIZE);

/**
 * Parses and compiles `source`. Use it where one expression is evaluated many times (the engine's
 * conditions); `evaluateExpression` does the same through a cache. Throws `ExpressionError`:
 * `EXPRESSION_SYNTAX`, `EXPRESSION_FORBIDDEN` or `EXPRESSION_LIMIT`.
 */
export function compileExpression(source: string, options?: CompileOptions): CompiledExpression {
  return compileUncached(source, options);
}

function compileUncached(source: string, options: CompileOptions | undefined): CompiledExpressionImpl {
  return withStackGuard(() => {
    const tree = parseExpression(source, resolveCompileLimits(options));
    return new CompiledExpressionImpl(source, compileTree(tree));
  });
}

/**
 * The compiled form of `source` from a cache of the last 1,000 expressions (keyed by source and any
 * non-default compile limits). Failures are not cached: they throw again on the next call.
 */
export function compileCached(source: string, options?: CompileOptions): CompiledExpressionImpl {
  const key = usesDefaultCompileLimits(options)
    ? source
    : // A NUL cannot start an expression, so these keys never meet a plain source.
      `\u0000${options?.maxSourceLength ?? ''}:${options?.maxDepth ?? ''}:${source}`;
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = compileUncached(source, options);
    cache.set(key, compiled);
  }
  return compiled;
}

/** Compiles `source` (cached) and evaluates it over `scope`; see `CompiledExpression.evaluate`. */
export function evaluateExpression(
  source: string,
  scope: Readonly<Record<string, unknown>>,
  options?: EvalOptions,
): unknown {
  return compileCached(source, options).evaluate(scope, options);
}
