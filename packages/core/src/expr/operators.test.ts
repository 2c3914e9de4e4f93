import { describe, expect, it } from 'vitest';
import { isBatonError } from '../errors/baton-error.js';
import { compileExpression, evaluateExpression } from './expression.js';

const scope = {
  input: { amount: 1500, region: 'EU', name: 'Ada', tags: ['a', 'b'], customer: { tier: 'gold' }, zero: 0 },
  nodes: { extract: { output: { items: [{ price: 10 }, { price: 20 }] } } },
  empty: null,
};

const run = (source: string, data: Record<string, unknown> = scope): unknown =>
  evaluateExpression(source, data);

/** The error code and message `source` fails with. */
function failure(source: string, data: Record<string, unknown> = scope): { code: string; message: string } {
  try {
    run(source, data);
  } catch (error) {
    if (isBatonError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('operators and precedence', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ** 3 ** 2', 512],
    ['10 - 4 - 3', 3],
    ['7 % 4', 3],
    ['-2 ** 2', 4],
    ['1 + 2 > 2 && 3 < 4', true],
    ['true || false && false', true],
    ['null ?? 5', 5],
    ['0 ?? 5', 0],
    ['0 || 5', 5],
    ['"" && 1', ''],
    ['1 < 2 ? "yes" : "no"', 'yes'],
    ['false ? 1 : true ? 2 : 3', 2],
    ['!0', true],
    ['!!"x"', true],
    ['-input.amount', -1500],
    ['+3', 3],
  ])('evaluates %s to %j', (source, expected) => {
    expect(run(source)).toStrictEqual(expected);
  });

  it('evaluates the typical condition of a conditional node', () => {
    expect(run('input.amount > 1000 && input.region == "EU"')).toBe(true);
    expect(run('input.amount > 1000 && input.region == "US"')).toBe(false);
  });

  it('treats == and != as strict equality', () => {
    expect(run('1 == "1"')).toBe(false);
    expect(run('1 != "1"')).toBe(true);
    expect(run('null == undefined')).toBe(false);
    expect(run('input.zero == 0')).toBe(true);
    expect(run('1 === 1 && 1 !== 2')).toBe(true);
  });

  it('compares numbers with numbers and strings with strings', () => {
    expect(run('"apple" < "banana"')).toBe(true);
    expect(run('10 >= 10')).toBe(true);
    expect(failure('"10" > 9').code).toBe('EXPRESSION_TYPE');
  });

  it('makes a comparison with a missing value false rather than an error', () => {
    expect(run('input.missing > 1000')).toBe(false);
    expect(run('input.missing < 1000')).toBe(false);
  });

  it('joins text with + and rejects silent coercions', () => {
    expect(run('"Hello " + input.name')).toBe('Hello Ada');
    expect(run('"n=" + 3 + true')).toBe('n=3true');
    expect(failure('"a" + null').code).toBe('EXPRESSION_TYPE');
    expect(failure('[1] + 2').code).toBe('EXPRESSION_TYPE');
    expect(failure('"3" * 2').code).toBe('EXPRESSION_TYPE');
  });

  it('keeps unary minus and plus to numbers', () => {
    expect(failure('-"3"').message).toContain('number(x)');
    expect(failure('+input.name').code).toBe('EXPRESSION_TYPE');
  });

  it('answers typeof like JavaScript, also for a name that does not exist', () => {
    expect(run('typeof input.amount')).toBe('number');
    expect(run('typeof input.tags')).toBe('object');
    expect(run('typeof input.missing')).toBe('undefined');
    expect(run('typeof nothing')).toBe('undefined');
  });

  it.each(['1 | 2', '1 & 2', '1 ^ 2', '1 << 2', '8 >> 1', '~1'])(
    'rejects the bitwise operator in %s',
    (source) => {
      expect(failure(source).code).toBe('EXPRESSION_FORBIDDEN');
    },
  );
});

describe('literals', () => {
  it('builds arrays and objects', () => {
    expect(run('[1, "two", null, [input.amount]]')).toStrictEqual([1, 'two', null, [1500]]);
    expect(run('{ a: 1, "b c": input.name, 3: true, [input.region]: 1, input }')).toStrictEqual({
      a: 1,
      'b c': 'Ada',
      3: true,
      EU: 1,
      input: scope.input,
    });
  });

  it('renders template strings with the template text rules', () => {
    expect(run('`${input.name} has ${length(input.tags)} tags: ${input.tags}`')).toBe(
      'Ada has 2 tags: ["a","b"]',
    );
    expect(run('`[${input.missing}]`')).toBe('[]');
  });

  it('reads undefined as a literal', () => {
    expect(run('undefined')).toBeUndefined();
  });

  it('rejects an array with holes', () => {
    expect(failure('[1, , 2]').code).toBe('EXPRESSION_SYNTAX');
  });
});

describe('member access', () => {
  it('reads own properties, array items and lengths', () => {
    expect(run('nodes.extract.output.items[1].price')).toBe(20);
    expect(run('nodes["extract"].output.items.length')).toBe(2);
    expect(run('input.name.length')).toBe(3);
    expect(run('input.name[0]')).toBe('A');
    expect(run('input.tags["1"]')).toBe('b');
  });

  it('reads a missing property as undefined', () => {
    expect(run('input.missing')).toBeUndefined();
    expect(run('input.tags[5]')).toBeUndefined();
    expect(run('input.tags[-1]')).toBeUndefined();
    expect(run('input.amount.digits')).toBeUndefined();
  });

  it('never reads inherited members such as methods', () => {
    expect(run('input.tags.map')).toBeUndefined();
    expect(run('input.toString')).toBeUndefined();
    expect(run('input.name.toUpperCase')).toBeUndefined();
  });

  it('explains reading a property of undefined or null', () => {
    const missing = failure('input.customer.address.city');
    expect(missing.code).toBe('EXPRESSION_TYPE');
    expect(missing.message).toContain('input.customer.address is undefined');
    expect(missing.message).toContain('?.');
    expect(failure('empty.x').message).toContain('empty is null');
  });

  it('short-circuits the whole chain on an optional link', () => {
    expect(run('input.customer.address?.city.name')).toBeUndefined();
    expect(run('empty?.x.y.z')).toBeUndefined();
    expect(run('input.tags?.[0]')).toBe('a');
    expect(run('empty?.[0]')).toBeUndefined();
    expect(run('empty?.lower()')).toBeUndefined();
    expect(run('input.customer?.tier')).toBe('gold');
  });

  it('rejects a computed key that is not a string or number', () => {
    expect(failure('input[null]').code).toBe('EXPRESSION_TYPE');
  });
});

describe('names', () => {
  it('reports an unknown root name with a suggestion', () => {
    const error = failure('inptu.amount > 1');
    expect(error.code).toBe('EXPRESSION_TYPE');
    expect(error.message).toBe('unknown name "inptu" (did you mean "input"?)');
  });

  it('lists the available names when nothing is close', () => {
    expect(failure('banana', { input: 1, nodes: 2 }).message).toContain('available: input, nodes');
  });

  it('explains that a function name is not a value', () => {
    expect(failure('lower').message).toContain('call it as lower(…)');
  });

  it('keeps functions and data apart: a scope key may share a function name', () => {
    expect(run('now + 1', { now: 1 })).toBe(2);
  });
});

describe('compiled expressions', () => {
  it('evaluates one compiled expression over many scopes', () => {
    const compiled = compileExpression('input.amount * 2');
    expect(compiled.source).toBe('input.amount * 2');
    expect(compiled.evaluate({ input: { amount: 1 } })).toBe(2);
    expect(compiled.evaluate({ input: { amount: 21 } })).toBe(42);
  });

  it('reports syntax errors with the character index', () => {
    try {
      compileExpression('input.amount > ');
      expect.unreachable();
    } catch (error) {
      expect(isBatonError(error, 'EXPRESSION_SYNTAX')).toBe(true);
      expect((error as { index?: number }).index).toBe(15);
    }
  });

  it('rejects several expressions and empty source', () => {
    expect(failure('a b').code).toBe('EXPRESSION_SYNTAX');
    expect(failure('(1, 2)').code).toBe('EXPRESSION_SYNTAX');
    expect(failure('').code).toBe('EXPRESSION_SYNTAX');
    expect(failure('   ').code).toBe('EXPRESSION_SYNTAX');
  });
});
