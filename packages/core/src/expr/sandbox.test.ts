import { afterEach, describe, expect, it } from 'vitest';
import { isBatonError } from '../errors/baton-error.js';
import { evaluateExpression } from './expression.js';
import { renderTemplate, resolveTemplates } from './templates.js';

/** True when `value` is JSON-like data: nothing callable, no prototype but Object's, Array's or none. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (type !== 'object') return false;
  if (Array.isArray(value)) {
    return (
      Object.getPrototypeOf(value) === Array.prototype && value.every((item) => isPlainData(item, depth + 1))
    );
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isPlainData(item, depth + 1));
}

const prototypeKeys = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  function: Object.getOwnPropertyNames(Function.prototype).sort(),
  string: Object.getOwnPropertyNames(String.prototype).sort(),
};

afterEach(() => {
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toStrictEqual(prototypeKeys.object);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toStrictEqual(prototypeKeys.array);
  expect(Object.getOwnPropertyNames(Function.prototype).sort()).toStrictEqual(prototypeKeys.function);
  expect(Object.getOwnPropertyNames(String.prototype).sort()).toStrictEqual(prototypeKeys.string);
});

function makeScope(): Record<string, unknown> {
  return {
    input: { name: 'Ada', items: [1, 2, 3], nested: { a: 1 } },
    x: {},
    list: Array.from({ length: 1_000 }, (_, i) => i),
  };
}

/** Runs a payload: it must throw a Baton error or give harmless plain data, quickly. */
function attempt(source: string, scope: Record<string, unknown> = makeScope()): unknown {
  const started = performance.now();
  try {
    const result = evaluateExpression(source, scope);
    expect(isPlainData(result)).toBe(true);
    return result;
  } catch (error) {
    expect(isBatonError(error), `${source} threw ${String(error)}`).toBe(true);
    return error;
  } finally {
    expect(performance.now() - started).toBeLessThan(2_000);
  }
}

describe('known sandbox-escape payloads', () => {
  it.each([
    'constructor.constructor("return process")()',
    'x.constructor',
    'x.constructor.constructor("return process")()',
    '"".constructor.constructor',
    '"".constructor.constructor("return this")()',
    '[].map.constructor("return this")()',
    '[].map.constructor',
    'input.items.map.call(null, 1)',
    '__proto__.polluted = 1',
    'x.__proto__.polluted = 1',
    'x["__proto__"]["polluted"] = 1',
    'toString.call(input)',
    'input.toString()',
    'input.toString.call(1)',
    'input.valueOf()',
    'input.__defineGetter__("name", x => 1)',
    'input.__lookupGetter__("name")',
    '({}).__proto__',
    '({}).constructor',
    '{}.__proto__',
    '({ __proto__: { polluted: 1 } })',
    '({ "__proto__": { polluted: 1 } })',
    '({ ["__proto__"]: { polluted: 1 } })',
    '({ ["__pro" + "to__"]: { polluted: 1 } })',
    '({ [input.name]: 1, constructor: 1 })',
    'input["__proto__"]',
    'input["__proto__"].polluted',
    'input["constr" + "uctor"]',
    'input["constr" + "uctor"]["constr" + "uctor"]("return process")()',
    'input["prototype"]',
    'input[["__proto__"]]',
    'input?.["__proto__"]',
    'input.items["constructor"]',
    'Object.assign({}, input)',
    'Object.keys(input)',
    'Object.prototype',
    'Function("return this")()',
    'Function',
    'eval("1")',
    'eval',
    'require("fs")',
    'require',
    'import("fs")',
    'process',
    'process.env',
    'process.exit()',
    'globalThis',
    'globalThis.process',
    'global',
    'window',
    'this',
    'this.constructor',
    'new Function("return 1")',
    'new Date()',
    'Symbol',
    'Symbol.iterator',
    'input[Symbol.iterator]',
    'Reflect.ownKeys(input)',
    'String.raw`x`',
    'input.name.constructor`return this```',
    '"a".repeat(1e9)',
    'repeat("a", 1e9)',
    'join(list.map(x => join(list.map(y => "aaaaaaaaaa"), "")), "")',
    'list.reduce((acc, x) => concat(acc, acc), [1])',
    'list.reduce((acc, x) => concat(acc, list), [])',
    'list.reduce((acc, x) => list.reduce((a, y) => a + x * y, acc), 0)',
    'list.map(x => list.map(y => list.map(z => z)))',
    'sort(list, (a, b) => a.constructor)',
    'list.map(x => x.constructor)',
    'list.find(x => x).constructor',
    'x => x',
    'list.map(x => x => x)',
    '(1, input.name)',
    '(input.items, process)',
    'a = 1',
    'a += 1',
    'a -= 1',
    'a ||= 1',
    'a ??= 1',
    'a &&= 1',
    'a++',
    '++a',
    'a--',
    '--a',
    'input.name = "x"',
    'input["name"] = "x"',
    'delete input.name',
    'void 0',
    'typeof process',
    'arguments',
    'parseJson("{").stack',
    'coalesce(parseJson("{"), 1).constructor',
    'toJson(constructor)',
    'input.__proto__',
    'input.items.__proto__',
    'input.items.length.constructor',
    '`${constructor}`',
    '`${input.constructor}`',
  ])('is harmless: %s', (source) => {
    attempt(source);
  });

  it('rejects every write to data', () => {
    for (const source of ['a = 1', 'a += 1', 'a++', '++a', 'a ??= 1', 'input.name = "x"']) {
      const result = attempt(source);
      expect(isBatonError(result)).toBe(true);
    }
  });

  it('rejects deep nesting and a huge expression without running out of stack', () => {
    expect(isBatonError(attempt('('.repeat(10_000) + '1' + ')'.repeat(10_000)))).toBe(true);
    expect(isBatonError(attempt('1 + '.repeat(300_000) + '1'))).toBe(true);
    expect(
      isBatonError(
        (() => {
          try {
            return evaluateExpression(
              '1' + '+1'.repeat(200_000),
              {},
              { maxSourceLength: 1e7, maxDepth: 1e7 },
            );
          } catch (error) {
            return error;
          }
        })(),
      ),
    ).toBe(true);
  });
});

describe('host objects in the scope', () => {
  it('never runs a getter on a scope object', () => {
    let called = 0;
    const input = {
      plain: 1,
      get secret(): string {
        called++;
        return 'leaked';
      },
    };
    const scope = { input };
    expect(evaluateExpression('input.secret', scope)).toBeUndefined();
    expect(evaluateExpression('input["sec" + "ret"]', scope)).toBeUndefined();
    expect(evaluateExpression('keys(input)', scope)).toStrictEqual(['plain']);
    expect(evaluateExpression('values(input)', scope)).toStrictEqual([1]);
    expect(evaluateExpression('toJson(input)', scope)).toBe('{"plain":1}');
    expect(evaluateExpression('string(input)', scope)).toBe('{"plain":1}');
    expect(renderTemplate('{{ input }}!', scope)).toBe('{"plain":1}!');
    resolveTemplates({ a: input, b: '{{ input.plain }}' }, scope);
    expect(called).toBe(0);
  });

  it('treats a getter at the root of the scope as absent', () => {
    let called = 0;
    const scope = Object.defineProperty({}, 'input', {
      get: () => {
        called++;
        return {};
      },
      enumerable: true,
    }) as Record<string, unknown>;
    expect(() => evaluateExpression('input', scope)).toThrow(/unknown name "input"/);
    expect(called).toBe(0);
  });

  it('never runs a getter on an array item', () => {
    let called = 0;
    const items: unknown[] = [1];
    Object.defineProperty(items, 1, {
      get: () => {
        called++;
        return 2;
      },
      enumerable: true,
    });
    const scope = { items };
    expect(evaluateExpression('items[1]', scope)).toBeUndefined();
    expect(evaluateExpression('items.map(x => x)', scope)).toStrictEqual([1, undefined]);
    expect(evaluateExpression('sort(items, (a, b) => 0)', scope)).toStrictEqual([1, undefined]);
    expect(evaluateExpression('slice(items, 0)', scope)).toStrictEqual([1, undefined]);
    expect(evaluateExpression('concat(items, [3])', scope)).toStrictEqual([1, undefined, 3]);
    expect(called).toBe(0);
  });

  it('never calls a function found in the scope, nor hands it out', () => {
    let called = 0;
    const fn = (): string => {
      called++;
      return 'pwned';
    };
    const scope = { fn, input: { fn, toJSON: fn, list: [fn] } };
    for (const source of [
      'fn()',
      'fn',
      'input.fn',
      'input.fn()',
      'input.fn.call(null)',
      'toJson(input)',
      'input.list[0]',
      'input.list.map(x => x)',
      'string(input)',
    ]) {
      expect(isBatonError(attempt(source, scope)), source).toBe(true);
    }
    expect(called).toBe(0);
  });

  it('reads nothing from an error, a date or a class instance', () => {
    class Secret {
      readonly token = 'hidden';
    }
    const scope = {
      err: new Error('boom'),
      date: new Date(0),
      secret: new Secret(),
      map: new Map([['a', 1]]),
    };
    for (const source of [
      'err.stack',
      'err.message',
      'err.constructor',
      'date.getTime()',
      'date.constructor',
      'secret.token',
      'map.size',
      'keys(secret)',
      'toJson(date)',
    ]) {
      expect(isBatonError(attempt(source, scope)), source).toBe(true);
    }
  });
});
