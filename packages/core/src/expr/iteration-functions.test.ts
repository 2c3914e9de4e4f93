import { describe, expect, it } from 'vitest';
import { isBatonError } from '../errors/baton-error.js';
import { compileExpression, evaluateExpression } from './expression.js';

const scope = {
  input: {
    min: 15,
    kind: 'b',
    items: [
      { id: 'a', price: 10, tags: ['x'] },
      { id: 'b', price: 20, tags: ['y', 'b'] },
      { id: 'c', price: 30, tags: [] },
    ],
    numbers: [3, 1, 2],
    words: ['pear', 'apple', 'fig'],
  },
};

const run = (source: string): unknown => evaluateExpression(source, scope);

function code(source: string): string {
  try {
    run(source);
  } catch (error) {
    if (isBatonError(error)) return error.code;
    throw error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('list functions with arrow callbacks', () => {
  it.each([
    ['input.items.some(x => x.price > 25)', true],
    ['input.items.every(x => x.price > 15)', false],
    ['input.items.filter(x => x.price > input.min).map(x => x.id)', ['b', 'c']],
    ['input.items.find(x => x.price == 20).id', 'b'],
    ['input.items.find(x => x.price == 99)', undefined],
    ['input.items.findIndex(x => x.id == "c")', 2],
    ['input.items.findIndex(x => false)', -1],
    ['input.items.map((x, i) => i)', [0, 1, 2]],
    ['input.items.reduce((total, x) => total + x.price, 0)', 60],
    ['input.numbers.reduce((a, b) => a * b)', 6],
    ['input.numbers.sort()', [1, 2, 3]],
    ['input.words.sort()', ['apple', 'fig', 'pear']],
    ['input.numbers.sort((a, b) => b - a)', [3, 2, 1]],
    ['input.items.sort((a, b) => b.price - a.price).map(x => x.id)', ['c', 'b', 'a']],
  ])('%s gives %j', (source, expected) => {
    expect(run(source)).toStrictEqual(expected);
  });

  it('accepts the same calls in function style', () => {
    expect(run('map(filter(input.items, x => x.price > 15), x => x.id)')).toStrictEqual(['b', 'c']);
    expect(run('sort(input.numbers, (a, b) => a - b)')).toStrictEqual([1, 2, 3]);
    expect(run('reduce(input.numbers, (a, b) => a + b, 10)')).toBe(16);
  });

  it('lets an inner arrow read the parameters of the outer one and the scope', () => {
    expect(
      run('input.items.filter(item => item.tags.some(tag => tag == item.id || tag == input.kind)).length'),
    ).toBe(1);
  });

  it('lets a parameter shadow a scope name inside its arrow only', () => {
    expect(run('input.items.map(input => input.id).concat([input.kind])')).toStrictEqual([
      'a',
      'b',
      'c',
      'b',
    ]);
  });

  it('sorts a copy and never reorders the input', () => {
    const compiled = compileExpression('input.numbers.sort()');
    expect(compiled.evaluate(scope)).toStrictEqual([1, 2, 3]);
    expect(scope.input.numbers).toStrictEqual([3, 1, 2]);
  });

  it('rejects sorting mixed kinds without a comparator', () => {
    expect(() => run('sort([1, "a"])')).toThrow(/only numbers or only strings/);
  });

  it('rejects a comparator that does not return a number', () => {
    expect(code('sort(input.numbers, (a, b) => a > b)')).toBe('EXPRESSION_TYPE');
  });

  it('rejects reducing an empty list without an initial value', () => {
    expect(code('reduce([], (a, b) => a + b)')).toBe('EXPRESSION_TYPE');
    expect(run('reduce([], (a, b) => a + b, 0)')).toBe(0);
  });

  it('rejects a non-list receiver', () => {
    expect(() => run('input.kind.filter(x => x)')).toThrow(
      'filter(): argument 1 must be an array, got string',
    );
  });
});

describe('where arrow functions may appear', () => {
  it.each([
    'x => x',
    '[x => x]',
    '{ f: x => x }',
    'lower(x => x)',
    'input.items.map(x => y => y)',
    '(x => x)(1)',
  ])('rejects an arrow function outside a callback position: %s', (source) => {
    expect(code(source)).toBe('EXPRESSION_FORBIDDEN');
  });

  it('requires an arrow where the function takes one', () => {
    expect(code('input.items.filter(input.kind)')).toBe('EXPRESSION_SYNTAX');
    expect(code('filter(input.items)')).toBe('EXPRESSION_SYNTAX');
    expect(code('input.items.reduce(0, (a, b) => a)')).toBe('EXPRESSION_SYNTAX');
  });

  it('limits the number and form of arrow parameters', () => {
    expect(code('input.items.map((a, b, c) => a)')).toBe('EXPRESSION_SYNTAX');
    expect(code('input.items.map((a, a) => a)')).toBe('EXPRESSION_SYNTAX');
    expect(code('input.items.map(({ id }) => id)')).toBe('EXPRESSION_SYNTAX');
    expect(code('input.items.map(constructor => 1)')).toBe('EXPRESSION_FORBIDDEN');
  });

  it('allows an arrow with no parameters', () => {
    expect(run('input.numbers.map(() => 1)')).toStrictEqual([1, 1, 1]);
  });
});
