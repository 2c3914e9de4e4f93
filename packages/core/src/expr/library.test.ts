import { describe, expect, it } from 'vitest';
import { isBatonError } from '../errors/baton-error.js';
import { evaluateExpression } from './expression.js';
import { expressionFunctionNames, expressionFunctionSignatures } from './library.js';
import type { EvalOptions } from './limits.js';

const scope = {
  input: {
    name: '  Ada Lovelace ',
    tags: ['b', 'a', 'c'],
    prices: [10, 2.5, 7],
    obj: { x: 1, y: 'two' },
    csv: 'a,b,,c',
    when: '2025-03-01T10:30:00Z',
  },
};

const run = (source: string, options?: EvalOptions): unknown => evaluateExpression(source, scope, options);

function code(source: string): string {
  try {
    run(source);
  } catch (error) {
    if (isBatonError(error)) return error.code;
    throw error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('the function library', () => {
  it('lists every function once, sorted, each with a signature', () => {
    const names = expressionFunctionNames();
    expect([...names].sort()).toStrictEqual(names);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['filter', 'formatDate', 'lower', 'round', 'toJson', 'parseJson']),
    );
    expect(expressionFunctionSignatures().every((entry) => entry.signature.startsWith(entry.name))).toBe(
      true,
    );
  });

  it('calls any function in function style or method style alike', () => {
    expect(run('lower(trim(input.name))')).toBe('ada lovelace');
    expect(run('input.name.trim().lower()')).toBe('ada lovelace');
    expect(run('input.tags.join("-")')).toBe('b-a-c');
  });

  it('rejects a call to anything outside the library, with a hint', () => {
    expect(code('foo(1)')).toBe('EXPRESSION_FORBIDDEN');
    expect(() => run('input.name.toUpperCase()')).toThrow(/did you mean "upper"/);
    expect(() => run('lowr(input.name)')).toThrow(/did you mean "lower"/);
    expect(code('input["lower"](1)')).toBe('EXPRESSION_FORBIDDEN');
    expect(code('(input.name)()')).toBe('EXPRESSION_FORBIDDEN');
  });

  it('checks the number of arguments when compiling', () => {
    expect(() => run('lower()')).toThrow(/takes 1 argument, got 0/);
    expect(() => run('input.name.lower(1)')).toThrow(/counting the value before the dot/);
  });

  it('checks the kinds of arguments with the function name in the message', () => {
    expect(() => run('lower(1)')).toThrow('lower(): argument 1 must be a string, got number');
    expect(code('sum(input.tags)')).toBe('EXPRESSION_TYPE');
  });
});

describe('text functions', () => {
  it.each([
    ['upper("abc")', 'ABC'],
    ['trim(input.name)', 'Ada Lovelace'],
    ['split(input.csv, ",")', ['a', 'b', '', 'c']],
    ['join(["a", 1, null, true, {k: 1}], "|")', 'a|1||true|{"k":1}'],
    ['join(input.tags)', 'b,a,c'],
    ['startsWith("invoice-7", "invoice")', true],
    ['endsWith("report.pdf", ".PDF")', false],
    ['replace("a.b.c", ".", "$&")', 'a$&b$&c'],
    ['includes("hello", "ell")', true],
    ['slice("abcdef", 1, -1)', 'bcde'],
    ['concat("a", 1, null, [2])', 'a1[2]'],
  ])('%s gives %j', (source, expected) => {
    expect(run(source)).toStrictEqual(expected);
  });

  it('rejects replacing the empty string', () => {
    expect(code('replace("abc", "", "x")')).toBe('EXPRESSION_TYPE');
  });
});

describe('number functions', () => {
  it.each([
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(1.005, 2)', 1.01],
    ['round(1234.5, -2)', 1200],
    ['floor(-1.5)', -2],
    ['ceil(1.2)', 2],
    ['abs(-3)', 3],
    ['min(input.prices)', 2.5],
    ['max(3, 9, 4)', 9],
    ['sum(input.prices)', 19.5],
    ['avg(input.prices)', 6.5],
    ['sum([])', 0],
  ])('%s gives %j', (source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('gives undefined for min, max and avg of an empty list', () => {
    expect(run('min([])')).toBeUndefined();
    expect(run('avg([])')).toBeUndefined();
  });

  it('rejects an out-of-range number of digits', () => {
    expect(code('round(1, 16)')).toBe('EXPRESSION_TYPE');
    expect(code('round(1, 1.5)')).toBe('EXPRESSION_TYPE');
  });
});

describe('collection functions', () => {
  it.each([
    ['length(input.tags)', 3],
    ['length(input.obj)', 2],
    ['length("abc")', 3],
    ['keys(input.obj)', ['x', 'y']],
    ['values(input.obj)', [1, 'two']],
    [
      'entries(input.obj)',
      [
        ['x', 1],
        ['y', 'two'],
      ],
    ],
    ['includes(input.tags, "a")', true],
    ['includes(input.tags, "z")', false],
    ['slice(input.tags, 1)', ['a', 'c']],
    ['slice(input.tags, -1)', ['c']],
    ['concat(input.tags, ["d"], "e")', ['b', 'a', 'c', 'd', 'e']],
    ['isArray(input.tags)', true],
    ['isArray(input.obj)', false],
    ['isEmpty("")', true],
    ['isEmpty({})', true],
    ['isEmpty(0)', false],
    ['isEmpty(input.missing)', true],
    ['coalesce(input.missing, null, "x", "y")', 'x'],
  ])('%s gives %j', (source, expected) => {
    expect(run(source)).toStrictEqual(expected);
  });

  it('never changes its arguments', () => {
    run('concat(input.tags, ["d"])');
    run('slice(input.tags, 0, 1)');
    expect(scope.input.tags).toStrictEqual(['b', 'a', 'c']);
  });
});

describe('conversion functions', () => {
  it.each([
    ['number("42")', 42],
    ['number(" 1.5e3 ")', 1500],
    ['number(true)', 1],
    ['number("abc", 0)', 0],
    ['string(12)', '12'],
    ['string(null)', ''],
    ['string([1, "a"])', '[1,"a"]'],
    ['boolean("")', false],
    ['boolean("false")', true],
    ['toJson({a: [1, null], b: "x"})', '{"a":[1,null],"b":"x"}'],
    ['toJson({a: undefined, b: 1 / 0})', '{"b":null}'],
    ['toJson([1], 2)', '[\n  1\n]'],
    ['parseJson("{\\"a\\": [1, 2]}").a[1]', 2],
  ])('%s gives %j', (source, expected) => {
    expect(run(source)).toStrictEqual(expected);
  });

  it('rejects text that is not a number unless given a fallback', () => {
    expect(code('number("12abc")')).toBe('EXPRESSION_TYPE');
    expect(code('number("")')).toBe('EXPRESSION_TYPE');
  });

  it('rejects text that is not JSON', () => {
    expect(code('parseJson("{oops")')).toBe('EXPRESSION_TYPE');
  });

  it('keeps a parsed "__proto__" key as plain data', () => {
    const parsed = run('parseJson("{\\"__proto__\\": {\\"polluted\\": 1}}")');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('date functions', () => {
  const clock = { now: () => Date.UTC(2025, 0, 31, 23, 59, 30) };

  it('reads the time only from the injected clock', () => {
    expect(run('now()', clock)).toBe(Date.UTC(2025, 0, 31, 23, 59, 30));
    expect(run('today()', clock)).toBe('2025-01-31');
    expect(run('formatDate(addDays(now(), 1), "YYYY-MM-DD HH:mm:ss")', clock)).toBe('2025-02-01 23:59:30');
  });

  it('formats epoch milliseconds and ISO text in UTC', () => {
    expect(run('formatDate(0)')).toBe('1970-01-01T00:00:00.000Z');
    expect(run('formatDate(input.when, "DD/MM/YYYY [at] HH:mm")')).toBe('01/03/2025 at 10:30');
    expect(run('formatDate("2025-03-01T10:30:00+02:00", "HH:mm")')).toBe('08:30');
  });

  it('parses ISO-8601 text, reading a time without offset as UTC', () => {
    expect(run('parseDate("2025-03-01")')).toBe(Date.UTC(2025, 2, 1));
    expect(run('parseDate("2024-02-29")')).toBe(Date.UTC(2024, 1, 29));
    expect(run('parseDate("2025-03-01T10:30")')).toBe(Date.UTC(2025, 2, 1, 10, 30));
    expect(run('parseDate("2025-03-01T10:30:00.5Z")')).toBe(Date.UTC(2025, 2, 1, 10, 30, 0, 500));
  });

  it('rejects text that is not an ISO-8601 date', () => {
    expect(code('parseDate("March 1, 2025")')).toBe('EXPRESSION_TYPE');
    expect(code('parseDate("2025-13-45")')).toBe('EXPRESSION_TYPE');
    expect(code('parseDate("2025-02-30")')).toBe('EXPRESSION_TYPE');
    expect(code('parseDate("2025-02-01T24:00")')).toBe('EXPRESSION_TYPE');
    expect(code('formatDate("yesterday")')).toBe('EXPRESSION_TYPE');
    expect(code('addDays(0, 1e12)')).toBe('EXPRESSION_TYPE');
  });

  it('subtracts days with a negative count', () => {
    expect(run('formatDate(addDays("2025-03-01", -1), "YYYY-MM-DD")')).toBe('2025-02-28');
  });
});
