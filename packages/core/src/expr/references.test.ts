import { describe, expect, it } from 'vitest';
import { isBatonError } from '../errors/baton-error.js';
import { expressionReferences } from './references.js';

describe('expressionReferences', () => {
  it('lists the member paths of free names in order of appearance', () => {
    expect(expressionReferences('nodes.extract.output.items.length > input.min')).toStrictEqual([
      ['nodes', 'extract', 'output', 'items', 'length'],
      ['input', 'min'],
    ]);
  });

  it('keeps literal computed segments and ends a path at a computed one', () => {
    expect(expressionReferences('nodes["extract"].output.items[0].price')).toStrictEqual([
      ['nodes', 'extract', 'output', 'items', '0', 'price'],
    ]);
    expect(expressionReferences('nodes[input.which].output')).toStrictEqual([['nodes'], ['input', 'which']]);
  });

  it('does not count arrow parameters as free, even when they shadow a scope name', () => {
    expect(expressionReferences('input.items.filter(x => x.price > vars.min)')).toStrictEqual([
      ['input', 'items'],
      ['vars', 'min'],
    ]);
    expect(expressionReferences('map(nodes.a.output, input => input.id)')).toStrictEqual([
      ['nodes', 'a', 'output'],
    ]);
    expect(
      expressionReferences('input.items.some(x => x.tags.some(t => t == x.kind || t == input.kind))'),
    ).toStrictEqual([
      ['input', 'items'],
      ['input', 'kind'],
    ]);
  });

  it('does not count function names, in either call style', () => {
    expect(expressionReferences('lower(input.name) == input.other.trim()')).toStrictEqual([
      ['input', 'name'],
      ['input', 'other'],
    ]);
  });

  it('stops a path at a call result', () => {
    expect(expressionReferences('input.items.filter(x => x.ok).length')).toStrictEqual([['input', 'items']]);
  });

  it('finds references inside literals, templates, ternaries and optional chains', () => {
    expect(
      expressionReferences(
        '{ a: input.a, [vars.key]: 1, b } && [nodes.x?.output] && `${run.id}` && (c ? d : e)',
      ),
    ).toStrictEqual([
      ['input', 'a'],
      ['vars', 'key'],
      ['b'],
      ['nodes', 'x', 'output'],
      ['run', 'id'],
      ['c'],
      ['d'],
      ['e'],
    ]);
  });

  it('lists each path once', () => {
    expect(expressionReferences('input.a + input.a * input.b')).toStrictEqual([
      ['input', 'a'],
      ['input', 'b'],
    ]);
  });

  it('lists nothing for an expression of literals', () => {
    expect(expressionReferences('1 + 2 == 3 && now() > 0')).toStrictEqual([]);
  });

  it('throws a syntax error for text that does not parse', () => {
    expect(() => expressionReferences('input.')).toThrow(
      expect.objectContaining({ code: 'EXPRESSION_SYNTAX' }) as Error,
    );
    try {
      expressionReferences('a +');
    } catch (error) {
      expect(isBatonError(error, 'EXPRESSION_SYNTAX')).toBe(true);
    }
  });
});
