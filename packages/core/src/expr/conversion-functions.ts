import { ExpressionError } from '../errors/errors.js';
import type { EvalContext } from './eval-context.js';
import { integerArg, stringArg, unsupported, type LibraryFunction } from './function-arguments.js';
import { MAX_DATA_DEPTH, toJsonText, toText, truthy } from './plain-data.js';

const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a value stands for, or `undefined` when it stands for none. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    return NUMERIC_TEXT.test(text) ? Number(text) : undefined;
  }
  return undefined;
}

/** Walks freshly parsed JSON, holding it to the array and depth limits and charging for its size. */
function checkParsed(ctx: EvalContext, value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_DATA_DEPTH) {
    throw new ExpressionError(
      'EXPRESSION_LIMIT',
      `parseJson(): the JSON is nested deeper than ${MAX_DATA_DEPTH}`,
    );
  }
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
  if (Array.isArray(value)) ctx.checkArray(value.length, 'parseJson()');
  ctx.charge(children.length);
  for (const child of children) checkParsed(ctx, child, depth + 1);
}

/** Conversions between kinds of value, and to and from JSON text. */
export const CONVERSION_FUNCTIONS: Readonly<Record<string, LibraryFunction>> = {
  number: {
    arity: [1, 2],
    signature: 'number(value, fallback?) → a number from a number, numeric text or boolean; else fallback',
    call: (_ctx, args, name) => {
      const converted = toNumber(args[0]);
      if (converted !== undefined) return converted;
      if (args.length > 1) return args[1];
      throw unsupported(name, 0, 'a number, numeric text or a boolean (or pass a fallback)', args[0]);
    },
  },
  string: {
    arity: [1, 1],
    signature: 'string(value) → text, as the value renders in a template',
    call: (ctx, args) => toText(args[0], ctx),
  },
  boolean: {
    arity: [1, 1],
    signature: 'boolean(value) → JavaScript truthiness (0, "", null, undefined, NaN, false are false)',
    call: (_ctx, args) => truthy(args[0]),
  },
  toJson: {
    arity: [1, 2],
    signature: 'toJson(value, indent = 0) → JSON text',
    call: (ctx, args, name) => {
      const indent = integerArg(name, args, 1, 0);
      if (indent < 0 || indent > 10) throw unsupported(name, 1, 'an integer from 0 to 10', indent);
      return toJsonText(args[0], ctx, indent);
    },
  },
  parseJson: {
    arity: [1, 1],
    signature: 'parseJson(text) → the value the JSON text describes',
    call: (ctx, args, name) => {
      const text = stringArg(name, args, 0);
      ctx.checkString(text.length, `${name}()`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'invalid JSON';
        throw new ExpressionError('EXPRESSION_TYPE', `${name}(): the text is not JSON (${reason})`);
      }
      checkParsed(ctx, parsed, 0);
      return parsed;
    },
  },
};
