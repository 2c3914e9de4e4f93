import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childPath, formatPath, parsePath, sortByDocumentPosition, valueAt } from './json-path.js';
import { error } from './problem.js';

describe('json paths', () => {
  it('writes indexes in brackets and identifier keys after dots', () => {
    expect(formatPath(['nodes', 3, 'inputs', 'document'])).toBe('nodes[3].inputs.document');
    expect(formatPath(['nodes', 1, 'body', 'nodes', 0, 'forEach'])).toBe('nodes[1].body.nodes[0].forEach');
    expect(formatPath([])).toBe('');
  });

  it('quotes keys that are not identifiers', () => {
    expect(formatPath(['variables', 'a b'])).toBe('variables["a b"]');
    expect(formatPath(['nodes', 0, 'inputs', 'legal-review'])).toBe('nodes[0].inputs["legal-review"]');
    expect(childPath('', '0')).toBe('["0"]');
  });

  it('parses back every path it writes', () => {
    const segment = fc.oneof(fc.nat({ max: 1000 }), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), (segments) => {
        expect(parsePath(formatPath(segments))).toEqual(segments);
      }),
    );
  });

  it('reads only own properties of the document', () => {
    const document = { nodes: [{ id: 'a' }] };
    expect(valueAt(document, ['nodes', 0, 'id'])).toBe('a');
    expect(valueAt(document, ['nodes', 0, 'constructor'])).toBeUndefined();
    expect(valueAt(document, ['nodes', 4, 'id'])).toBeUndefined();
  });
});

describe('document order', () => {
  const document = { id: 'x', nodes: [{ id: 'a', type: 'agent' }, { id: 'b' }], edges: [{ from: 'a' }] };

  it('sorts problems by where they point in the document, parents first', () => {
    const problems = [
      error('UNKNOWN_NODE', 'edges[0].from', ''),
      error('MISSING_FIELD', 'nodes[1].type', ''),
      error('DUPLICATE_ID', 'nodes[1]', ''),
      error('WRONG_TYPE', 'nodes[0].type', ''),
      error('WRONG_TYPE', 'id', ''),
    ];
    expect(sortByDocumentPosition(document, problems).map((p) => p.path)).toEqual([
      'id',
      'nodes[0].type',
      'nodes[1]',
      'nodes[1].type',
      'edges[0].from',
    ]);
  });

  it('puts missing keys after present ones and keeps their order as found', () => {
    const problems = [
      error('MISSING_FIELD', 'version', 'first'),
      error('MISSING_FIELD', 'name', 'second'),
      error('WRONG_TYPE', 'edges', ''),
    ];
    expect(sortByDocumentPosition(document, problems).map((p) => p.message)).toEqual(['', 'first', 'second']);
  });

  it('orders array items by index, not as text', () => {
    const many = { nodes: Array.from({ length: 12 }, (_, i) => ({ id: `n${i}` })) };
    const problems = [error('DUPLICATE_ID', 'nodes[10]', ''), error('DUPLICATE_ID', 'nodes[9]', '')];
    expect(sortByDocumentPosition(many, problems).map((p) => p.path)).toEqual(['nodes[9]', 'nodes[10]']);
  });
});
