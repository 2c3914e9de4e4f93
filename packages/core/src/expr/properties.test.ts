import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isBatonError } from '../errors/baton-error.js';
import { compileExpression, evaluateExpression } from './expression.js';
import { expressionReferences } from './references.js';
import { renderTemplate, templateExpressions } from './templates.js';

/** True when `value` is JSON-like data: nothing callable, no prototype but Object's, Array's or none. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 300) return false;
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

/** Runs `work`; it must return plain data or throw a Baton error, within a generous time. */
function outcome(work: () => unknown): 'value' | 'error' {
  const started = performance.now();
  try {
    const result = work();
    expect(isPlainData(result)).toBe(true);
    return 'value';
  } catch (error) {
    if (!isBatonError(error)) throw error;
    return 'error';
  } finally {
    expect(performance.now() - started).toBeLessThan(2_000);
  }
}

const TOKENS = [
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '.',
  '?.',
  ',',
  ':',
  '?',
  '=>',
  '=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '!',
  '==',
  '!=',
  '<',
  '>=',
  '&&',
  '||',
  '??',
  '`',
  '${',
  '"',
  "'",
  '\\',
  ' ',
  'x',
  'y',
  'input',
  'nodes',
  'a',
  'b',
  '0',
  '1',
  '2.5',
  '1e3',
  'null',
  'true',
  'undefined',
  'typeof',
  'lower',
  'map',
  'filter',
  'reduce',
  'sort',
  'join',
  'concat',
  'keys',
  'toJson',
  'parseJson',
  '__proto__',
  'constructor',
  'prototype',
  'this',
  'new',
  'length',
  '{{',
  '}}',
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((tokens) => tokens.join(''));
const anyText = fc.oneof(
  tokenSoup,
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const scopeArbitrary = fc.record({
  input: fc.jsonValue({ maxDepth: 3 }),
  nodes: fc.jsonValue({ maxDepth: 3 }),
});

const PATHS = ['input', 'nodes', 'input.a', 'input?.a?.b', 'input[0]', 'nodes.x?.[1]', 'input.length'];
const UNARY = ['!', '-', 'typeof '];
const BINARY = ['+', '-', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||', '??'];
const ONE_ARG = [
  'length',
  'keys',
  'lower',
  'trim',
  'sum',
  'string',
  'boolean',
  'isEmpty',
  'toJson',
  'isArray',
];
const TWO_ARGS = ['includes', 'join', 'concat', 'coalesce', 'split', 'startsWith', 'round', 'max'];

const { expr: expressionArbitrary } = fc.letrec<{ expr: string; leaf: string }>((tie) => ({
  leaf: fc.oneof(
    fc.integer({ min: -1_000, max: 1_000 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((n) => `(${n})`),
    fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('true', 'false', 'null', 'undefined', '[]', '{}'),
    fc.constantFrom(...PATHS),
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.tuple(fc.constantFrom(...UNARY), tie('expr')).map(([op, e]) => `${op}(${e})`),
    fc.tuple(tie('expr'), fc.constantFrom(...BINARY), tie('expr')).map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([t, c, a]) => `(${t} ? ${c} : ${a})`),
    fc.tuple(fc.constantFrom(...ONE_ARG), tie('expr')).map(([fn, e]) => `${fn}(${e})`),
    fc.tuple(fc.constantFrom(...TWO_ARGS), tie('expr'), tie('expr')).map(([fn, a, b]) => `${fn}(${a}, ${b})`),
    fc.tuple(tie('expr'), tie('expr')).map(([list, e]) => `(${list}).filter(v => v == ${e})`),
    fc.tuple(tie('expr'), tie('expr')).map(([list, e]) => `map(${list}, (v, i) => [v, i, ${e}])`),
    fc
      .tuple(tie('expr'), tie('expr'))
      .map(([list, e]) => `(${list}).reduce((acc, v) => concat(acc, [v]), [${e}])`),
    tie('expr').map((list) => `sort(${list})`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `[${a}, ${b}]`),
    fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `{ k: ${a}, [string(${b})]: 1 }`),
    tie('expr').map((e) => `\`<\${${e}}>\``),
    tie('expr').map((e) => `(${e})?.a`),
    tie('expr').map((e) => `(${e})[0]`),
  ),
}));

let values = 0;
let errors = 0;
afterAll(() => {
  // The generated expressions must exercise both outcomes, or the properties prove little.
  expect(values).toBeGreaterThan(0);
  expect(errors).toBeGreaterThan(0);
});

describe('properties of the interpreter', () => {
  it('turns any text into a value or a Baton error, never another exception, and never hangs', () => {
    fc.assert(
      fc.property(anyText, scopeArbitrary, (source, scope) => {
        outcome(() => evaluateExpression(source, scope));
        outcome(() => compileExpression(source).source);
        outcome(() => expressionReferences(source));
      }),
      { numRuns: 2_000 },
    );
  });

  it('renders any text as a template into a value or a Baton error', () => {
    fc.assert(
      fc.property(anyText, anyText, scopeArbitrary, (before, inside, scope) => {
        const text = `${before}{{ ${inside} }}`;
        outcome(() => renderTemplate(text, scope));
        outcome(() => templateExpressions(text));
      }),
      { numRuns: 1_000 },
    );
  });

  it('evaluates generated valid expressions over random JSON scopes to plain data or a Baton error', () => {
    fc.assert(
      fc.property(expressionArbitrary, scopeArbitrary, (source, scope) => {
        const result = outcome(() => evaluateExpression(source, scope));
        if (result === 'value') values++;
        else errors++;
      }),
      { numRuns: 3_000 },
    );
  });

  it('gives the same answer compiled once or through the cache, and never changes the scope', () => {
    fc.assert(
      fc.property(expressionArbitrary, scopeArbitrary, (source, scope) => {
        const before = JSON.stringify(scope);
        let compiled: unknown;
        let cached: unknown;
        try {
          compiled = compileExpression(source).evaluate(scope);
        } catch (error) {
          compiled = isBatonError(error) ? error.code : error;
        }
        try {
          cached = evaluateExpression(source, scope);
        } catch (error) {
          cached = isBatonError(error) ? error.code : error;
        }
        expect(cached).toStrictEqual(compiled);
        expect(JSON.stringify(scope)).toBe(before);
      }),
      { numRuns: 500 },
    );
  });

  it('lists only references whose root is a name the expression mentions', () => {
    fc.assert(
      fc.property(expressionArbitrary, (source) => {
        for (const path of expressionReferences(source)) {
          expect(['input', 'nodes']).toContain(path[0]);
        }
      }),
      { numRuns: 500 },
    );
  });
});
