import { ExpressionError } from '../errors/errors.js';
import type { EvalContext } from './eval-context.js';
import { typeName } from './plain-data.js';

/** A binary operator other than the short-circuiting `&&`, `||` and `??`. */
export type BinaryOperator = (left: unknown, right: unknown, ctx: EvalContext) => unknown;

function mismatch(verb: string, left: unknown, right: unknown, hint = ''): ExpressionError {
  return new ExpressionError(
    'EXPRESSION_TYPE',
    `cannot ${verb} ${typeName(left)} and ${typeName(right)}${hint === '' ? '' : `; ${hint}`}`,
  );
}

function arithmetic(verb: string, apply: (left: number, right: number) => number): BinaryOperator {
  return (left, right) => {
    if (typeof left === 'number' && typeof right === 'number') return apply(left, right);
    throw mismatch(verb, left, right, 'convert text with number(x) first');
  };
}

function isTextual(value: unknown): value is string | number | boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/**
 * `+` adds two numbers, or joins text when one side is a string and the other a string, number or
 * boolean. Anything else (`"a" + null`, `[1] + 2`) is an error rather than JavaScript's silent coercion.
 */
function add(left: unknown, right: unknown, ctx: EvalContext): unknown {
  if (typeof left === 'number' && typeof right === 'number') return left + right;
  if ((typeof left === 'string' || typeof right === 'string') && isTextual(left) && isTextual(right)) {
    const text = String(left);
    const other = String(right);
    ctx.checkString(text.length + other.length, '+');
    return text + other;
  }
  throw mismatch('add', left, right, 'use coalesce(x, "") for a missing value, or a template string');
}

/**
 * `<`, `>`, `<=`, `>=` compare two numbers or two strings (by UTF-16 code units). A missing side (`null`
 * or `undefined`) makes the comparison false, so `input.amount > 1000` is simply false when there is no
 * amount. Mixed kinds are an error.
 */
function comparison(verb: string, test: (order: number) => boolean): BinaryOperator {
  return (left, right) => {
    if (typeof left === 'number' && typeof right === 'number') {
      return Number.isNaN(left) || Number.isNaN(right)
        ? false
        : test(left < right ? -1 : left > right ? 1 : 0);
    }
    if (typeof left === 'string' && typeof right === 'string') {
      return test(left < right ? -1 : left > right ? 1 : 0);
    }
    if (left === null || left === undefined || right === null || right === undefined) return false;
    throw mismatch(verb, left, right, 'compare numbers with numbers and strings with strings');
  };
}

// `==` and `!=` are strict: `1 == "1"` is false, exactly as `===`.
const strictEqual: BinaryOperator = (left, right) => left === right;
const strictNotEqual: BinaryOperator = (left, right) => left !== right;

const OPERATORS: ReadonlyMap<string, BinaryOperator> = new Map<string, BinaryOperator>([
  ['+', add],
  ['-', arithmetic('subtract', (a, b) => a - b)],
  ['*', arithmetic('multiply', (a, b) => a * b)],
  ['/', arithmetic('divide', (a, b) => a / b)],
  ['%', arithmetic('take the remainder of', (a, b) => a % b)],
  ['**', arithmetic('raise', (a, b) => a ** b)],
  ['==', strictEqual],
  ['===', strictEqual],
  ['!=', strictNotEqual],
  ['!==', strictNotEqual],
  ['<', comparison('compare', (order) => order < 0)],
  ['>', comparison('compare', (order) => order > 0)],
  ['<=', comparison('compare', (order) => order <= 0)],
  ['>=', comparison('compare', (order) => order >= 0)],
]);

/** The implementation of a binary operator, or `undefined` for one the language does not have. */
export function binaryOperator(operator: string): BinaryOperator | undefined {
  return OPERATORS.get(operator);
}

/** Unary `-` and `+`: numbers only (`+x` does not convert; `number(x)` does). */
export function numericUnary(operator: '-' | '+', value: unknown): number {
  if (typeof value !== 'number') {
    throw new ExpressionError(
      'EXPRESSION_TYPE',
      `unary ${operator} needs a number, got ${typeName(value)}; convert text with number(x)`,
    );
  }
  return operator === '-' ? -value : value;
}
