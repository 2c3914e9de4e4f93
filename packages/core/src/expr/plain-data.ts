import { ExpressionError } from '../errors/errors.js';
import type { EvalContext } from './eval-context.js';

/**
 * Property names no expression may read or write, whatever the object: they lead from data to the
 * prototypes and constructors of the host.
 */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** How deep `toJsonText` and the checks on parsed JSON go before giving up. */
export const MAX_DATA_DEPTH = 200;

/** True for an object made by `{}`, `JSON.parse` or `Object.create(null)`: the only objects we read. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short name of the kind of a value, for error messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return isPlainObject(value) ? 'object' : 'non-data object';
  return typeof value;
}

/** JavaScript truthiness. Safe on any value: converting to boolean never runs user code. */
export function truthy(value: unknown): boolean {
  return Boolean(value);
}

/**
 * The own data property `key` of `object`, or `undefined`. Accessor properties count as absent, so no getter
 * on a scope object ever runs; a function or symbol found in the data is an error, never a value.
 */
export function ownData(object: object, key: string): unknown {
  const value = ownDataOrAbsent(object, key);
  return value === ABSENT ? undefined : value;
}

/** Marks a property that does not exist (or is an accessor), as opposed to one holding `undefined`. */
export const ABSENT: unique symbol = Symbol('absent');

/** Like `ownData`, but tells a missing property apart by returning `ABSENT`. */
export function ownDataOrAbsent(object: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  if (descriptor === undefined || !('value' in descriptor)) return ABSENT;
  const value: unknown = descriptor.value;
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') {
    throw new ExpressionError(
      'EXPRESSION_TYPE',
      `property "${key}" holds a ${type}, which is not plain data`,
    );
  }
  return value;
}

/** Item `index` of an array, read like `ownData` (a hole or an accessor reads as `undefined`). */
export function arrayItem(array: readonly unknown[], index: number): unknown {
  return ownData(array, String(index));
}

/** The non-negative integer a key denotes as an index (`2` or `"2"`), if any. */
function toIndex(key: string | number): number | undefined {
  if (typeof key === 'number') return Number.isInteger(key) && key >= 0 ? key : undefined;
  return /^(?:0|[1-9]\d{0,15})$/.test(key) ? Number(key) : undefined;
}

/**
 * Reads `object[key]` with the expression rules: own data properties of plain objects, `length` and items
 * of arrays and strings, `undefined` for anything missing; reading from `null`/`undefined` is an error
 * (optional chaining is handled by the caller). `describe` names the object for the error message.
 */
export function readProperty(object: unknown, key: string | number, describe: () => string): unknown {
  if (typeof object === 'object') {
    if (object === null) throw nullRead(key, describe(), 'null');
    if (Array.isArray(object)) {
      if (key === 'length') return object.length;
      const index = toIndex(key);
      return index !== undefined && index < object.length ? arrayItem(object, index) : undefined;
    }
    if (!isPlainObject(object)) {
      throw new ExpressionError(
        'EXPRESSION_TYPE',
        `cannot read "${key}" of ${describe()}: it is a non-data object; expressions read only plain data`,
      );
    }
    return ownData(object, typeof key === 'number' ? String(key) : key);
  }
  if (typeof object === 'string') {
    if (key === 'length') return object.length;
    const index = toIndex(key);
    return index !== undefined && index < object.length ? object[index] : undefined;
  }
  if (object === undefined) throw nullRead(key, describe(), 'undefined');
  // Numbers and booleans have no properties of their own, as in JavaScript.
  return undefined;
}

function nullRead(key: string | number, described: string, value: string): ExpressionError {
  return new ExpressionError(
    'EXPRESSION_TYPE',
    `cannot read "${key}" of ${value}: ${described} is ${value}; write ?. instead of . to allow a missing value`,
  );
}

/**
 * A value as it appears inside text (templates, `string()`, `join`): strings as they are, `null` and
 * `undefined` as nothing, arrays and objects as JSON.
 */
export function toText(value: unknown, ctx: EvalContext): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return '';
    default:
      return value === null ? '' : toJsonText(value, ctx, 0);
  }
}

/**
 * JSON for plain data, written by hand rather than by `JSON.stringify` so that no `toJSON` method or getter
 * found in the data ever runs, and so that the size is checked while the text grows.
 */
export function toJsonText(value: unknown, ctx: EvalContext, indent: number): string {
  const parts: string[] = [];
  let length = 0;
  const push = (text: string): void => {
    length += text.length;
    if (length > ctx.maxStringLength) ctx.checkString(length, 'toJson');
    parts.push(text);
  };
  const write = (item: unknown, depth: number): void => {
    ctx.charge(1);
    if (depth > MAX_DATA_DEPTH) {
      throw new ExpressionError('EXPRESSION_LIMIT', `cannot write JSON nested deeper than ${MAX_DATA_DEPTH}`);
    }
    const newline = indent > 0 ? '\n' + ' '.repeat(indent * (depth + 1)) : '';
    const closing = indent > 0 ? '\n' + ' '.repeat(indent * depth) : '';
    if (Array.isArray(item)) {
      if (item.length === 0) return push('[]');
      push('[');
      for (let i = 0; i < item.length; i++) {
        push(i === 0 ? newline : ',' + newline);
        const element = arrayItem(item, i);
        if (element === undefined) push('null');
        else write(element, depth + 1);
      }
      return push(closing + ']');
    }
    if (isPlainObject(item)) {
      let first = true;
      push('{');
      for (const key of Object.keys(item)) {
        const field = ownData(item, key);
        if (field === undefined) continue;
        push((first ? '' : ',') + newline + JSON.stringify(key) + (indent > 0 ? ': ' : ':'));
        write(field, depth + 1);
        first = false;
      }
      return push(first ? '}' : closing + '}');
    }
    switch (typeof item) {
      case 'string':
        return push(JSON.stringify(item));
      case 'number':
        return push(Number.isFinite(item) ? String(item) : 'null');
      case 'boolean':
        return push(String(item));
      case 'undefined':
        return push('null');
      default:
        if (item === null) return push('null');
        throw new ExpressionError('EXPRESSION_TYPE', `cannot write a ${typeName(item)} as JSON`);
    }
  };
  write(value, 0);
  const text = parts.join('');
  ctx.checkString(text.length, 'toJson');
  return text;
}
