import { ExpressionError } from '../errors/errors.js';
import type { Callback } from './callback.js';
import type { EvalContext } from './eval-context.js';
import { arrayArg, callbackArg, type LibraryFunction } from './function-arguments.js';
import { arrayItem, truthy, typeName } from './plain-data.js';

/** The arrow argument; the compiler guarantees it is there for every function but `sort`. */
function required(callback: Callback | undefined, name: string): Callback {
  if (callback === undefined) {
    throw new ExpressionError('EXPRESSION_TYPE', `${name}() needs an arrow function such as x => x.ok`);
  }
  return callback;
}

/** Copies the items so that no getter runs and the input is never reordered. */
function items(ctx: EvalContext, list: readonly unknown[], name: string): unknown[] {
  ctx.checkArray(list.length, `${name}()`);
  const copy: unknown[] = [];
  for (let i = 0; i < list.length; i++) copy.push(arrayItem(list, i));
  return copy;
}

/** Calls `test(item, index)` for each item until it returns `stop`; the index where it stopped, or -1. */
function scan(ctx: EvalContext, args: readonly unknown[], name: string, stop: boolean): number {
  const list = arrayArg(name, args, 0);
  const test = required(callbackArg(args, 1), name);
  for (let i = 0; i < list.length; i++) {
    if (truthy(test.call(ctx, arrayItem(list, i), i)) === stop) return i;
  }
  return -1;
}

/** The order of two items for `sort` without a comparator: numbers by value, strings by code units. */
function naturalOrder(left: unknown, right: unknown): number {
  if (
    (typeof left === 'number' && typeof right === 'number') ||
    (typeof left === 'string' && typeof right === 'string')
  ) {
    return left < right ? -1 : left > right ? 1 : 0;
  }
  throw new ExpressionError(
    'EXPRESSION_TYPE',
    `sort() without a comparator orders only numbers or only strings, found ${typeName(left)} and ${typeName(right)}; pass (a, b) => …`,
  );
}

/**
 * The functions that take an arrow function. The arrow receives `(item, index)`, or `(accumulator, item,
 * index)` for `reduce` and `(a, b)` for `sort`; every node it evaluates counts against the step limit.
 */
export const ITERATION_FUNCTIONS: Readonly<Record<string, LibraryFunction>> = {
  some: {
    arity: [2, 2],
    callback: { position: 1, params: 2 },
    signature: 'some(list, (item, index) => test) → whether any item passes',
    call: (ctx, args, name) => scan(ctx, args, name, true) !== -1,
  },
  every: {
    arity: [2, 2],
    callback: { position: 1, params: 2 },
    signature: 'every(list, (item, index) => test) → whether all items pass',
    call: (ctx, args, name) => scan(ctx, args, name, false) === -1,
  },
  find: {
    arity: [2, 2],
    callback: { position: 1, params: 2 },
    signature: 'find(list, (item, index) => test) → the first item that passes, or undefined',
    call: (ctx, args, name) => {
      const index = scan(ctx, args, name, true);
      return index === -1 ? undefined : arrayItem(arrayArg(name, args, 0), index);
    },
  },
  findIndex: {
    arity: [2, 2],
    callback: { position: 1, params: 2 },
    signature: 'findIndex(list, (item, index) => test) → the index of the first item that passes, or -1',
    call: (ctx, args, name) => scan(ctx, args, name, true),
  },
  filter: {
    arity: [2, 2],
    callback: { position: 1, params: 2 },
    signature: 'filter(list, (item, index) => test) → the items that pass',
    call: (ctx, args, name) => {
      const list = arrayArg(name, args, 0);
      const test = required(callbackArg(args, 1), name);
      const kept: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        const item = arrayItem(list, i);
        if (truthy(test.call(ctx, item, i))) kept.push(item);
      }
      ctx.checkArray(kept.length, `${name}()`);
      return kept;
    },
  },
  map: {
    arity: [2, 2],
    callback: { position: 1, params: 2 },
    signature: 'map(list, (item, index) => value) → the values',
    call: (ctx, args, name) => {
      const list = arrayArg(name, args, 0);
      const transform = required(callbackArg(args, 1), name);
      ctx.checkArray(list.length, `${name}()`);
      const mapped: unknown[] = [];
      for (let i = 0; i < list.length; i++) mapped.push(transform.call(ctx, arrayItem(list, i), i));
      return mapped;
    },
  },
  reduce: {
    arity: [2, 3],
    callback: { position: 1, params: 3 },
    signature: 'reduce(list, (total, item, index) => next, initial?) → the final total',
    call: (ctx, args, name) => {
      const list = arrayArg(name, args, 0);
      const step = required(callbackArg(args, 1), name);
      let start = 0;
      let total: unknown = args[2];
      if (args.length < 3) {
        if (list.length === 0) {
          throw new ExpressionError(
            'EXPRESSION_TYPE',
            `${name}(): the list is empty and no initial value was given`,
          );
        }
        total = arrayItem(list, 0);
        start = 1;
      }
      for (let i = start; i < list.length; i++) total = step.call(ctx, total, arrayItem(list, i), i);
      return total;
    },
  },
  sort: {
    arity: [1, 2],
    callback: { position: 1, params: 2 },
    signature: 'sort(list, (a, b) => order?) → a sorted copy (numbers or strings ascending without an arrow)',
    call: (ctx, args, name) => {
      const copy = items(ctx, arrayArg(name, args, 0), name);
      const comparator = callbackArg(args, 1);
      if (comparator === undefined) {
        ctx.charge(copy.length * Math.ceil(Math.log2(copy.length + 1)));
        return copy.sort(naturalOrder);
      }
      return copy.sort((left, right) => {
        const order = comparator.call(ctx, left, right);
        if (typeof order !== 'number') {
          throw new ExpressionError(
            'EXPRESSION_TYPE',
            `${name}(): the comparator must return a number, got ${typeName(order)}`,
          );
        }
        return Number.isNaN(order) ? 0 : order;
      });
    },
  },
};
