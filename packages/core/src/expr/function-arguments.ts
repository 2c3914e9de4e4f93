import { ExpressionError } from '../errors/errors.js';
import { Callback } from './callback.js';
import type { EvalContext } from './eval-context.js';
import { isPlainObject, typeName } from './plain-data.js';

/**
 * One function of the expression library. Arguments arrive evaluated, except the one at `callback.position`,
 * which arrives as a `Callback` compiled from an arrow function.
 */
export interface LibraryFunction {
  /** Fewest and most arguments; with method style the receiver is the first. */
  readonly arity: readonly [min: number, max: number];
  /** Where an arrow function is expected and how many parameters it may name. */
  readonly callback?: { readonly position: number; readonly params: number };
  /** One line for the function table of the user guide and for hints. */
  readonly signature: string;
  readonly call: (ctx: EvalContext, args: readonly unknown[], name: string) => unknown;
}

function wrongType(name: string, index: number, expected: string, value: unknown): ExpressionError {
  return new ExpressionError(
    'EXPRESSION_TYPE',
    `${name}(): argument ${index + 1} must be ${expected}, got ${typeName(value)}`,
  );
}

/** Argument `index` as a string, or an `EXPRESSION_TYPE` error naming the function. */
export function stringArg(name: string, args: readonly unknown[], index: number): string {
  const value = args[index];
  if (typeof value !== 'string') throw wrongType(name, index, 'a string', value);
  return value;
}

/** Argument `index` as a finite or infinite number (never NaN from a non-number). */
export function numberArg(name: string, args: readonly unknown[], index: number): number {
  const value = args[index];
  if (typeof value !== 'number') throw wrongType(name, index, 'a number', value);
  return value;
}

/** Argument `index` as an integer, or `fallback` when it was left out. */
export function integerArg(name: string, args: readonly unknown[], index: number, fallback: number): number {
  if (args.length <= index || args[index] === undefined) return fallback;
  const value = args[index];
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw wrongType(name, index, 'an integer', value);
  return value;
}

/** Argument `index` as an array. */
export function arrayArg(name: string, args: readonly unknown[], index: number): readonly unknown[] {
  const value = args[index];
  if (!Array.isArray(value)) throw wrongType(name, index, 'an array', value);
  return value;
}

/** Argument `index` as a plain object. */
export function objectArg(name: string, args: readonly unknown[], index: number): Record<string, unknown> {
  const value = args[index];
  if (!isPlainObject(value)) throw wrongType(name, index, 'an object', value);
  return value;
}

/** Argument `index` as a compiled arrow function, or `undefined` when it was left out. */
export function callbackArg(args: readonly unknown[], index: number): Callback | undefined {
  const value = args[index];
  return value instanceof Callback ? value : undefined;
}

/** The error for a value of a kind the function does not take. */
export function unsupported(name: string, index: number, expected: string, value: unknown): ExpressionError {
  return wrongType(name, index, expected, value);
}
