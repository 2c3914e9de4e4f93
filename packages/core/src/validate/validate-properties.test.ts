import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES } from './problem.js';
import { validateWorkflow } from './validate-workflow.js';
import { fixtureCatalog, validWorkflow } from './validation-fixtures.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path of a JSON value, as segment lists, the root included. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

interface Mutation {
  at: number;
  op: 'delete' | 'replace' | 'duplicate' | 'rename';
  value: Json;
  name: string;
}

/** Applies one mutation at the `at`-th path (modulo the count) of the document, in place; returns the result. */
function mutate(document: Json, { at, op, value, name }: Mutation): Json {
  const paths = pathsOf(document).slice(1);
  const path = paths[at % Math.max(1, paths.length)];
  if (!path) return value;
  const parent = path
    .slice(0, -1)
    .reduce<Json>((v, s) => (v as Record<string, Json>)[s] as Json, document) as
    Json[] | Record<string, Json>;
  const key = path.at(-1) as string | number;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (op === 'delete') parent.splice(key, 1);
    else if (op === 'duplicate') parent.splice(key, 0, structuredClone(parent[key] as Json));
    else parent[key] = value;
  } else {
    const record = parent as Record<string, Json>;
    const current = record[key] as Json;
    if (op === 'delete') delete record[key];
    else if (op === 'rename') {
      delete record[key];
      record[name] = current;
    } else if (op === 'duplicate') record[`${key}_copy`] = structuredClone(current);
    else record[key] = value;
  }
  return document;
}

const interestingStrings = fc.constantFrom(
  '{{',
  '{{ }}',
  '{{ nodes.extract.output }}',
  'nodes.nope.output',
  'loop.item',
  '(',
  'extract',
  'review',
  'agent',
  'loop',
  'parallel',
  'error',
  'route',
  '^9.0.0',
  'constructor',
  '__proto__',
);

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'duplicate', 'rename'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, interestingStrings),
  name: fc.oneof(fc.string({ maxLength: 8 }), interestingStrings),
});

describe('validation properties', () => {
  it('always returns a result for any mutation of a valid workflow, with or without a catalog', () => {
    const catalog = fixtureCatalog();
    const codes = new Set<string>(PROBLEM_CODES);
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (mutations, withCatalog) => {
          let document = validWorkflow() as unknown as Json;
          for (const m of mutations) document = mutate(document, m);
          const result = validateWorkflow(document, withCatalog ? { agents: catalog } : {});
          expect(result.ok).toBe(result.problems.every((p) => p.severity === 'warning'));
          if (!result.workflow) expect(result.ok).toBe(false);
          for (const problem of result.problems) {
            expect(codes.has(problem.code)).toBe(true);
            expect(typeof problem.path).toBe('string');
            expect(problem.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds no problem in a generated workflow whose graph is a DAG and whose references all hold', () => {
    const catalog = fixtureCatalog();
    const shape = fc.integer({ min: 1, max: 9 }).chain((n) =>
      fc.record({
        types: fc.array(
          fc.constantFrom('transform', 'emit', 'conditional', 'wait', 'loop', 'agent', 'approval'),
          {
            minLength: n,
            maxLength: n,
          },
        ),
        links: fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), {
          minLength: n,
          maxLength: n,
        }),
        picks: fc.array(fc.nat(), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(shape, ({ types, links, picks }) => {
        const ids = types.map((_, i) => `n${i}`);
        const edges: { from: string; to: string; port?: string }[] = [];
        const ancestors = ids.map(() => new Set<number>());
        types.forEach((_, j) => {
          for (let i = 0; i < j; i++) {
            if (!links[i]?.[j]) continue;
            const port = types[i] === 'conditional' ? (j % 2 === 0 ? 'true' : 'false') : undefined;
            edges.push(
              port === undefined ? { from: `n${i}`, to: `n${j}` } : { from: `n${i}`, to: `n${j}`, port },
            );
            ancestors[j]?.add(i);
            for (const a of ancestors[i] ?? []) ancestors[j]?.add(a);
          }
        });
        const nodes = types.map((type, i) => {
          const up = [...(ancestors[i] ?? [])];
          const read = up.length > 0 ? `nodes.n${up[(picks[i] ?? 0) % up.length]}.output` : 'input.flag';
          const id = `n${i}`;
          switch (type) {
            case 'transform':
              return { id, type, set: { value: read } };
            case 'emit':
              return { id, type, event: 'tick', payload: { value: `{{ ${read} }}` } };
            case 'conditional':
              return { id, type, condition: `${read} != null` };
            case 'wait':
              return { id, type, durationMs: 10 };
            case 'approval':
              return { id, type, assignee: 'role:ops', message: `Look at {{ ${read} }}` };
            case 'agent':
              return { id, type, agent: { id: 'acme.draft' }, inputs: { item: 'text', count: 2 } };
            default:
              return {
                id,
                type: 'loop',
                forEach: 'input.items',
                body: {
                  nodes: [{ id: `${id}_step`, type: 'transform', set: { item: 'loop.item', up: read } }],
                },
              };
          }
        });
        const document = {
          id: 'generated',
          name: 'Generated',
          version: '1.0.0',
          inputs: {
            type: 'object',
            properties: { flag: { type: 'boolean' }, items: { type: 'array' } },
            additionalProperties: false,
          },
          nodes,
          edges,
        };
        const result = validateWorkflow(document, { agents: catalog });
        expect(result.problems).toEqual([]);
        expect(validateWorkflow(result.workflow, { agents: catalog }).problems).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
