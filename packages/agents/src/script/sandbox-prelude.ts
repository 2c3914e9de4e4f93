/** The entry a script exports, as the prelude calls it. */
export type ScriptEntry = (input: unknown, context: unknown) => unknown;

/** Starts the script's entry and resolves with its output as JSON text. */
export type SandboxStart = (main: ScriptEntry, inputJson: string, contextJson: string) => Promise<string>;

/**
 * Runs INSIDE the QuickJS sandbox, in each fresh context, before the user's module. It is sent there as
 * source text (`sandboxPrelude.toString()`), so it must stay self-contained: no imports, no outer variables,
 * only its parameters and the sandbox's own built-ins.
 *
 * It installs `console` (every line goes to `hostLog`, cut to `maxLineChars`) and returns `start`, which
 * calls the entry and turns its result into JSON text, refusing anything that is not plain JSON data with
 * the path to the offending value (`output.items[2].at is a Date object`). The built-ins the check relies
 * on are captured now, before the user's code runs, so a script that replaces `Object.keys` or
 * `JSON.stringify` still gets a correct check. That protects the script's own output, not the host: the
 * host trusts nothing from here but a string, which it measures and parses itself.
 */
export function sandboxPrelude(
  hostLog: (level: string, text: string) => void,
  maxLineChars: number,
  maxOutputChars: number,
): SandboxStart {
  const { parse, stringify } = JSON;
  const { getPrototypeOf, getOwnPropertyDescriptor, keys, freeze, defineProperty } = Object;
  const { isArray } = Array;
  const apply = Reflect.apply;
  const objectPrototype = Object.prototype;
  const arrayPrototype = Array.prototype;
  const join = Array.prototype.join;
  const toText = String;
  const identifier = /^[A-Za-z_$][\w$]*$/;
  const MAX_DEPTH = 200;

  const outputError = (message: string): TypeError => {
    const error = new TypeError(message);
    error.name = 'BatonOutputError';
    return error;
  };

  const printable = (value: unknown): string => {
    if (typeof value === 'string') return value;
    try {
      const json = stringify(value) as string | undefined;
      if (typeof json === 'string') return json;
    } catch {
      // Cycles, bigints: fall back to String().
    }
    try {
      return toText(value);
    } catch {
      return '[unprintable]';
    }
  };
  const logger =
    (level: string) =>
    (...args: unknown[]): void => {
      const parts: string[] = [];
      for (let i = 0; i < args.length; i++) parts[i] = printable(args[i]);
      const line = apply(join, parts, [' ']);
      hostLog(level, line.length > maxLineChars ? `${line.slice(0, maxLineChars)}…` : line);
    };
  defineProperty(globalThis, 'console', {
    value: freeze({
      log: logger('info'),
      info: logger('info'),
      debug: logger('info'),
      warn: logger('warn'),
      error: logger('error'),
    }),
    writable: true,
    configurable: true,
    enumerable: false,
  });

  const keyPath = (path: string, key: string): string =>
    identifier.test(key) ? `${path}.${key}` : `${path}[${stringify(key)}]`;

  const kindOf = (value: object): string => {
    if (typeof value === 'function') return 'a function';
    try {
      const prototype = getPrototypeOf(value) as object | null;
      const constructor = prototype === null ? undefined : getOwnPropertyDescriptor(prototype, 'constructor');
      const fn: unknown = constructor?.value;
      if (typeof fn === 'function' && fn.name !== '') return `a ${fn.name} object`;
    } catch {
      // A revoked proxy or a hostile trap: fall through.
    }
    return 'an object that is not plain data';
  };

  const toJsonText = (root: unknown): string => {
    const out: string[] = [];
    const ancestors: object[] = [];
    let left = maxOutputChars;
    const emit = (piece: string): void => {
      left -= piece.length;
      if (left < 0) throw outputError(`the output is longer than ${maxOutputChars} characters of JSON`);
      out[out.length] = piece;
    };
    const walk = (value: unknown, path: string): void => {
      switch (typeof value) {
        case 'string':
          emit(stringify(value));
          return;
        case 'boolean':
          emit(value ? 'true' : 'false');
          return;
        case 'number':
          if (value !== value || value === Infinity || value === -Infinity) {
            throw outputError(`${path} is ${toText(value)}, which JSON cannot hold`);
          }
          emit(stringify(value));
          return;
        case 'undefined':
          throw outputError(`${path} is undefined, which is not JSON; use null`);
        case 'bigint':
        case 'symbol':
          throw outputError(`${path} is a ${typeof value}, which is not JSON data`);
        case 'function':
          throw outputError(`${path} is a function, which is not JSON data`);
        case 'object':
          break;
      }
      if (value === null) {
        emit('null');
        return;
      }
      for (let i = 0; i < ancestors.length; i++) {
        if (ancestors[i] === value)
          throw outputError(`${path} refers back to itself, which JSON cannot hold`);
      }
      if (ancestors.length >= MAX_DEPTH) throw outputError(`${path} is nested more than ${MAX_DEPTH} deep`);
      ancestors[ancestors.length] = value;
      const prototype = getPrototypeOf(value) as object | null;
      if (isArray(value)) {
        if (prototype !== arrayPrototype) throw outputError(`${path} is ${kindOf(value)}, not a plain array`);
        emit('[');
        const length = value.length;
        for (let i = 0; i < length; i++) {
          if (i > 0) emit(',');
          const item = getOwnPropertyDescriptor(value, i);
          if (item === undefined)
            throw outputError(`${path}[${i}] is a hole in the array; fill it with null`);
          if (!('value' in item)) throw outputError(`${path}[${i}] is a getter, not data`);
          walk(item.value, `${path}[${i}]`);
        }
        emit(']');
      } else {
        if (prototype !== objectPrototype && prototype !== null) {
          throw outputError(`${path} is ${kindOf(value)}; return plain objects, arrays and primitives only`);
        }
        emit('{');
        const names = keys(value);
        let first = true;
        for (let i = 0; i < names.length; i++) {
          const name = names[i] as string;
          const at = keyPath(path, name);
          if (name === '__proto__') throw outputError(`${at}: the key "__proto__" is refused`);
          const property = getOwnPropertyDescriptor(value, name);
          if (property === undefined) continue;
          if (!('value' in property)) throw outputError(`${at} is a getter, not data`);
          // An undefined property is left out, as JSON.stringify does: it reads as "absent".
          if (property.value === undefined) continue;
          if (!first) emit(',');
          first = false;
          emit(`${stringify(name)}:`);
          walk(property.value, at);
        }
        emit('}');
      }
      ancestors.length -= 1;
    };
    walk(root, 'output');
    return apply(join, out, ['']);
  };

  return async (main, inputJson, contextJson) => {
    const value: unknown = await main(parse(inputJson), parse(contextJson));
    return toJsonText(value);
  };
}
