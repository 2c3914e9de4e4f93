import type { EvalContext } from './eval-context.js';
import { integerArg, objectArg, stringArg, unsupported, type LibraryFunction } from './function-arguments.js';
import { arrayItem, isPlainObject, ownData, toText } from './plain-data.js';

/** The own data properties of a plain object, in key order (accessors are skipped, never called). */
function dataEntries(ctx: EvalContext, name: string, object: Record<string, unknown>): [string, unknown][] {
  const keys = Object.keys(object);
  ctx.checkArray(keys.length, `${name}()`);
  ctx.charge(keys.length);
  const entries: [string, unknown][] = [];
  for (const key of keys) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (descriptor !== undefined && 'value' in descriptor) entries.push([key, ownData(object, key)]);
  }
  return entries;
}

/** A `slice` bound resolved as JavaScript does: negative counts from the end, clamped to the length. */
function clampIndex(index: number, length: number): number {
  return index < 0 ? Math.max(0, length + index) : Math.min(index, length);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** Functions over lists, objects and strings alike, and the checks for "is there a value". */
export const COLLECTION_FUNCTIONS: Readonly<Record<string, LibraryFunction>> = {
  length: {
    arity: [1, 1],
    signature: 'length(value) → characters of a string, items of an array, keys of an object',
    call: (_ctx, args, name) => {
      const value = args[0];
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (isPlainObject(value)) return Object.keys(value).length;
      throw unsupported(name, 0, 'a string, an array or an object', value);
    },
  },
  keys: {
    arity: [1, 1],
    signature: 'keys(object) → array of its keys',
    call: (ctx, args, name) => dataEntries(ctx, name, objectArg(name, args, 0)).map(([key]) => key),
  },
  values: {
    arity: [1, 1],
    signature: 'values(object) → array of its values',
    call: (ctx, args, name) => dataEntries(ctx, name, objectArg(name, args, 0)).map(([, value]) => value),
  },
  entries: {
    arity: [1, 1],
    signature: 'entries(object) → array of [key, value] pairs',
    call: (ctx, args, name) => dataEntries(ctx, name, objectArg(name, args, 0)),
  },
  includes: {
    arity: [2, 2],
    signature: 'includes(listOrText, value) → whether the list has the item (==) or the text the substring',
    call: (ctx, args, name) => {
      const haystack = args[0];
      const needle = args[1];
      if (typeof haystack === 'string') return haystack.includes(stringArg(name, args, 1));
      if (!Array.isArray(haystack)) throw unsupported(name, 0, 'an array or a string', haystack);
      ctx.charge(haystack.length);
      for (let i = 0; i < haystack.length; i++) if (arrayItem(haystack, i) === needle) return true;
      return false;
    },
  },
  slice: {
    arity: [2, 3],
    signature:
      'slice(listOrText, start, end?) → the part from start up to end (negative counts from the end)',
    call: (ctx, args, name) => {
      const value = args[0];
      const start = integerArg(name, args, 1, 0);
      if (typeof value === 'string') return value.slice(start, integerArg(name, args, 2, value.length));
      if (!Array.isArray(value)) throw unsupported(name, 0, 'an array or a string', value);
      // Items are copied one by one with arrayItem rather than Array#slice, which would run getters.
      const from = clampIndex(start, value.length);
      const to = Math.max(from, clampIndex(integerArg(name, args, 2, value.length), value.length));
      ctx.checkArray(to - from, `${name}()`);
      const part: unknown[] = [];
      for (let i = from; i < to; i++) part.push(arrayItem(value, i));
      return part;
    },
  },
  concat: {
    arity: [2, Infinity],
    signature: 'concat(list, …more) → one array (array arguments are spread); concat(text, …more) → text',
    call: (ctx, args, name) => {
      const first = args[0];
      if (typeof first === 'string') {
        const parts = args.map((arg) => toText(arg, ctx));
        ctx.checkString(
          parts.reduce((total, part) => total + part.length, 0),
          `${name}()`,
        );
        return parts.join('');
      }
      if (!Array.isArray(first)) throw unsupported(name, 0, 'an array or a string', first);
      const total = args.reduce<number>((sum, arg) => sum + (Array.isArray(arg) ? arg.length : 1), 0);
      ctx.checkArray(total, `${name}()`);
      const result: unknown[] = [];
      for (const arg of args) {
        if (Array.isArray(arg)) for (let i = 0; i < arg.length; i++) result.push(arrayItem(arg, i));
        else result.push(arg);
      }
      return result;
    },
  },
  isArray: {
    arity: [1, 1],
    signature: 'isArray(value) → boolean',
    call: (_ctx, args) => Array.isArray(args[0]),
  },
  isEmpty: {
    arity: [1, 1],
    signature: 'isEmpty(value) → true for null, undefined, "", [] and {}',
    call: (_ctx, args) => isEmpty(args[0]),
  },
  coalesce: {
    arity: [1, Infinity],
    signature: 'coalesce(a, b, …) → the first argument that is neither null nor undefined',
    call: (_ctx, args) => args.find((arg) => arg !== null && arg !== undefined),
  },
};
