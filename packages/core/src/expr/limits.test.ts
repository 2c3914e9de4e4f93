import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../errors/errors.js';
import { compileExpression, evaluateExpression } from './expression.js';
import { DEFAULT_EXPRESSION_LIMITS, type EvalOptions } from './limits.js';

const scope = {
  list: Array.from({ length: 1_000 }, (_, i) => i),
  big: Array.from({ length: 200_000 }, () => 1),
  text: 'x'.repeat(1_000),
};

function limitError(source: string, options?: EvalOptions): ExpressionError {
  try {
    evaluateExpression(source, scope, options);
  } catch (error) {
    if (error instanceof ExpressionError) {
      expect(error.code).toBe('EXPRESSION_LIMIT');
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${source.slice(0, 40)} to run past a limit`);
}

describe('the source length limit', () => {
  it('rejects an expression longer than 10,000 characters by default', () => {
    const source = '1' + ' + 1'.repeat(2_500);
    expect(source.length).toBeGreaterThan(DEFAULT_EXPRESSION_LIMITS.maxSourceLength);
    expect(limitError(source).message).toContain('the limit is 10000');
  });

  it('rejects a 1 MB expression at once', () => {
    const started = performance.now();
    limitError(`"${'a'.repeat(1_000_000)}"`);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('takes a different limit from the options', () => {
    expect(() => compileExpression('1 + 1', { maxSourceLength: 3 })).toThrow(/the limit is 3/);
    expect(evaluateExpression('"a" + "b"', {}, { maxSourceLength: 9 })).toBe('ab');
    limitError('"a" + "b"', { maxSourceLength: 8 });
  });
});

describe('the nesting depth limit', () => {
  it('rejects brackets nested deeper than 200 levels', () => {
    limitError('('.repeat(201) + '1' + ')'.repeat(201));
    expect(evaluateExpression('('.repeat(150) + '1' + ')'.repeat(150), {})).toBe(1);
  });

  it('rejects 10,000 nested parentheses without running out of stack', () => {
    const source = '('.repeat(10_000) + '1' + ')'.repeat(10_000);
    limitError(source, { maxSourceLength: 100_000 });
    limitError(source, { maxSourceLength: 100_000, maxDepth: 100_000 });
  });

  it.each([
    ['unary operators', '!'.repeat(9_000) + '1'],
    ['a chain of additions', '1' + '+1'.repeat(4_000)],
    ['nested conditionals', 'a ? '.repeat(2_000) + '1' + ' : 2'.repeat(2_000)],
    ['a long member chain', 'a' + '.b'.repeat(4_000)],
  ])('rejects deep nesting without brackets: %s', (_, source) => {
    limitError(source);
  });

  it('takes a different limit from the options', () => {
    expect(() => compileExpression('[[[1]]]', { maxDepth: 2 })).toThrow(/nested more than 2 levels/);
  });
});

describe('the step limit', () => {
  it('stops a quadratic loop over two lists', () => {
    const error = limitError('list.map(a => list.map(b => a * b))');
    expect(error.message).toContain('100000 evaluation steps');
  });

  it('stops a reduce that keeps working', () => {
    limitError('list.reduce((acc, x) => list.reduce((a, y) => a + y, acc), 0)');
  });

  it('counts the work of library functions on large lists', () => {
    limitError('list.map(x => sum(big))');
  });

  it('takes a different limit from the options', () => {
    expect(evaluateExpression('list.filter(x => x < 3)', scope, { maxSteps: 5_000 })).toStrictEqual([
      0, 1, 2,
    ]);
    limitError('list.filter(x => x < 3)', { maxSteps: 1_000 });
  });

  it('gives every evaluation a fresh budget', () => {
    const compiled = compileExpression('list.filter(x => x < 3).length');
    for (let i = 0; i < 3; i++) expect(compiled.evaluate(scope, { maxSteps: 5_000 })).toBe(3);
  });
});

describe('the size limits', () => {
  it('stops a string that doubles in a reduce', () => {
    const error = limitError('list.reduce((s, x) => s + s, text)');
    expect(error.message).toMatch(/string of \d+ characters; the limit is 1000000/);
  });

  it('stops joining a huge mapped list before building the text', () => {
    limitError('join(list.map(x => text), "")', { maxStringLength: 100_000 });
  });

  it('stops an array that doubles through concat in a reduce', () => {
    const error = limitError('list.reduce((acc, x) => concat(acc, acc), [1])');
    expect(error.message).toMatch(/array of \d+ items; the limit is 100000/);
  });

  it('stops an array that grows one item at a time through concat', () => {
    limitError('big.reduce((acc, x) => concat(acc, [x]), [])');
  });

  it('refuses to build an array larger than the limit from a larger input', () => {
    limitError('big.map(x => x)');
    limitError('sort(big)');
    limitError('split(text, "")', { maxArrayLength: 100 });
  });

  it('checks template strings, replace and toJson', () => {
    limitError('`${text}${text}`', { maxStringLength: 1_500 });
    limitError('replace(text, "x", "yy")', { maxStringLength: 1_500 });
    limitError('toJson(list)', { maxStringLength: 1_000 });
    limitError('concat(text, text)', { maxStringLength: 1_500 });
  });

  it('takes larger limits from the options', () => {
    expect(evaluateExpression('length(concat(text, text))', scope, { maxStringLength: 2_000 })).toBe(2_000);
    expect(
      evaluateExpression('length(big.map(x => x))', scope, { maxArrayLength: 300_000, maxSteps: 1_000_000 }),
    ).toBe(200_000);
  });
});
