import { ExpressionError } from '../errors/errors.js';
import type { EvalContext } from './eval-context.js';
import { arrayArg, integerArg, numberArg, unsupported, type LibraryFunction } from './function-arguments.js';
import { arrayItem } from './plain-data.js';

/** The numbers of an array argument, or an error naming the first item that is not one. */
function numbers(ctx: EvalContext, name: string, list: readonly unknown[]): number[] {
  ctx.charge(list.length);
  const result: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = arrayItem(list, i);
    if (typeof item !== 'number') {
      throw new ExpressionError(
        'EXPRESSION_TYPE',
        `${name}(): item ${i} of the list is ${item === null ? 'null' : typeof item}, not a number`,
      );
    }
    result.push(item);
  }
  return result;
}

/** The numbers of `min(list)` or `min(a, b, …)`. */
function operands(ctx: EvalContext, name: string, args: readonly unknown[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return numbers(ctx, name, args[0]);
  return args.map((_, i) => numberArg(name, args, i));
}

/** Shifts the decimal point through the exponent so that 1.005 rounds to 1.01, not 1.00. */
function shift(value: number, digits: number): number {
  const [mantissa = '0', exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + digits}`);
}

/** Rounds half away from zero: round(2.5) is 3 and round(-2.5) is -3. */
function roundTo(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const rounded = shift(Math.round(shift(Math.abs(value), digits)), -digits);
  return rounded === 0 ? 0 : Math.sign(value) * rounded;
}

/** Arithmetic over numbers and lists of numbers. Empty lists give `undefined` for min, max and avg. */
export const NUMBER_FUNCTIONS: Readonly<Record<string, LibraryFunction>> = {
  round: {
    arity: [1, 2],
    signature: 'round(number, digits = 0) → number rounded half away from zero',
    call: (_ctx, args, name) => {
      const digits = integerArg(name, args, 1, 0);
      if (digits < -15 || digits > 15) throw unsupported(name, 1, 'an integer from -15 to 15', digits);
      return roundTo(numberArg(name, args, 0), digits);
    },
  },
  floor: {
    arity: [1, 1],
    signature: 'floor(number) → the largest integer not above it',
    call: (_ctx, args, name) => Math.floor(numberArg(name, args, 0)),
  },
  ceil: {
    arity: [1, 1],
    signature: 'ceil(number) → the smallest integer not below it',
    call: (_ctx, args, name) => Math.ceil(numberArg(name, args, 0)),
  },
  abs: {
    arity: [1, 1],
    signature: 'abs(number) → the number without its sign',
    call: (_ctx, args, name) => Math.abs(numberArg(name, args, 0)),
  },
  min: {
    arity: [1, Infinity],
    signature: 'min(list) or min(a, b, …) → the smallest number',
    call: (ctx, args, name) => {
      const values = operands(ctx, name, args);
      return values.length === 0 ? undefined : values.reduce((a, b) => (b < a ? b : a));
    },
  },
  max: {
    arity: [1, Infinity],
    signature: 'max(list) or max(a, b, …) → the largest number',
    call: (ctx, args, name) => {
      const values = operands(ctx, name, args);
      return values.length === 0 ? undefined : values.reduce((a, b) => (b > a ? b : a));
    },
  },
  sum: {
    arity: [1, 1],
    signature: 'sum(list) → the total of a list of numbers (0 when empty)',
    call: (ctx, args, name) => numbers(ctx, name, arrayArg(name, args, 0)).reduce((a, b) => a + b, 0),
  },
  avg: {
    arity: [1, 1],
    signature: 'avg(list) → the mean of a list of numbers',
    call: (ctx, args, name) => {
      const values = numbers(ctx, name, arrayArg(name, args, 0));
      return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
    },
  },
};
