import { describe, expect, it } from 'vitest';
import { validateWorkflow } from './validate-workflow.js';
import { codesAndPaths, validWorkflow } from './validation-fixtures.js';

function problemsOf(
  mutate: (w: ReturnType<typeof validWorkflow>) => void,
): ReturnType<typeof validateWorkflow> {
  const workflow = validWorkflow();
  mutate(workflow);
  return validateWorkflow(workflow);
}

function messageAt(result: ReturnType<typeof validateWorkflow>, path: string): string | undefined {
  return result.problems.find((p) => p.path === path)?.message;
}

describe('schema problems', () => {
  it('suggests the closest node type for an unknown one', () => {
    const result = problemsOf((w) => {
      w.nodes[1] = { id: 'check', type: 'conditonal', condition: 'true' };
    });
    expect(result.ok).toBe(false);
    expect(result.workflow).toBeUndefined();
    expect(result.problems[0]).toMatchObject({
      code: 'UNKNOWN_NODE_TYPE',
      path: 'nodes[1].type',
      severity: 'error',
    });
    expect(messageAt(result, 'nodes[1].type')).toMatch(
      /^unknown node type "conditonal" \(did you mean "conditional"\?\)/,
    );
    expect(messageAt(result, 'nodes[1].type')).toContain('"agent", "conditional", "parallel"');
  });

  it('reports a missing node type as a missing field listing the types', () => {
    const result = problemsOf((w) => {
      delete w.nodes[4]?.['type'];
    });
    expect(codesAndPaths(result.problems)).toContain('MISSING_FIELD nodes[4].type');
    expect(messageAt(result, 'nodes[4].type')).toContain('set it to one of "agent", "conditional"');
  });

  it('reports every schema problem at once, in document order', () => {
    const result = problemsOf((w) => {
      w['version'] = '1.0';
      w.nodes[0] = { id: 'extract', type: 'agent', inputs: 3 };
      w.nodes[3] = { ...w.nodes[3], options: ['approved'] };
      w.edges.push({ from: 'extract' });
      w['policies'] = { retry: { maxRetries: 1, backoff: 'expo' } };
    });
    expect(codesAndPaths(result.problems)).toEqual([
      'INVALID_VALUE version',
      'WRONG_TYPE nodes[0].inputs',
      'INVALID_VALUE nodes[3].options',
      'MISSING_FIELD edges[4].to',
      'INVALID_VALUE policies.retry.backoff',
    ]);
    expect(messageAt(result, 'version')).toBe('"1.0" must be a semantic version such as "1.2.0"');
    expect(messageAt(result, 'nodes[0].inputs')).toBe('expected an object, got an integer (3)');
    expect(messageAt(result, 'nodes[3].options')).toBe('must have at least 2 options');
    expect(messageAt(result, 'edges[4].to')).toBe('missing required field "to": add it (a string)');
    expect(messageAt(result, 'policies.retry.backoff')).toBe(
      '"expo" is not one of "exponential", "linear" or "fixed" (did you mean "exponential"?)',
    );
  });

  it('explains ids, numbers and record keys that break the rules', () => {
    const result = problemsOf((w) => {
      w['id'] = '1st';
      w['variables'] = { 'my var': {} };
      w.nodes[2] = { ...w.nodes[2], maxIterations: 0, concurrency: 1.5 };
      w['name'] = '';
    });
    expect(messageAt(result, 'id')).toMatch(/^"1st" must start with a letter or underscore/);
    expect(messageAt(result, 'name')).toBe('must not be empty');
    expect(messageAt(result, 'variables["my var"]')).toMatch(/^key "my var" must start with a letter/);
    expect(messageAt(result, 'nodes[2].maxIterations')).toBe('must be at least 1, got 0');
    expect(messageAt(result, 'nodes[2].concurrency')).toBe('must be a whole number, got 1.5');
  });

  it('finds problems inside loop bodies and parallel branches', () => {
    const result = problemsOf((w) => {
      w.nodes.push({
        id: 'fan',
        type: 'parallel',
        branches: [{ nodes: [{ id: 'pause', type: 'wait', durationMs: 'soon' }] }],
      });
      const loop = w.nodes[2] as { body: { nodes: Record<string, unknown>[] } };
      loop.body.nodes.push({ id: 'x', type: 'emitt' });
    });
    expect(codesAndPaths(result.problems)).toEqual([
      'UNKNOWN_NODE_TYPE nodes[2].body.nodes[1].type',
      'WRONG_TYPE nodes[5].branches[0].nodes[0].durationMs',
    ]);
  });

  it('says what a document that is not an object is', () => {
    expect(validateWorkflow('hello').problems).toEqual([
      {
        code: 'WRONG_TYPE',
        path: '',
        message: 'expected an object, got a string ("hello")',
        severity: 'error',
      },
    ]);
    expect(validateWorkflow(null).problems[0]?.message).toBe('expected an object, got null');
  });

  it('names the compensation types when one is unknown', () => {
    const result = problemsOf((w) => {
      w.nodes[4] = { ...w.nodes[4], compensation: { type: 'agnt' } };
    });
    expect(codesAndPaths(result.problems)).toEqual(['INVALID_VALUE nodes[4].compensation.type']);
    expect(messageAt(result, 'nodes[4].compensation.type')).toBe(
      'unknown compensation type "agnt" (did you mean "agent"?); compensation types are "agent" and "transform"',
    );
  });
});

describe('unknown fields', () => {
  it('warns about a misspelt field with the closest known one, and still parses', () => {
    const result = problemsOf((w) => {
      w.nodes[0] = { ...w.nodes[0], onEror: 'continue' };
      w['polices'] = {};
    });
    expect(result.ok).toBe(true);
    expect(result.workflow).toBeDefined();
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_FIELD',
        path: 'nodes[0].onEror',
        message: 'unknown field "onEror" (did you mean "onError"?) is ignored',
        severity: 'warning',
      },
      {
        code: 'UNKNOWN_FIELD',
        path: 'polices',
        message: 'unknown field "polices" (did you mean "policies"?) is ignored',
        severity: 'warning',
      },
    ]);
  });

  it('checks fields by node type, deep inside bodies, edges and policies', () => {
    const result = problemsOf((w) => {
      const loop = w.nodes[2] as { body: { nodes: Record<string, unknown>[] } };
      loop.body.nodes[0] = { ...loop.body.nodes[0], condition: 'true' };
      w.edges[0] = { from: 'extract', to: 'check', prot: 'out' };
      w['policies'] = { retry: { maxRetries: 1, jiter: 0.1 } };
    });
    expect(codesAndPaths(result.problems)).toEqual([
      'UNKNOWN_FIELD nodes[2].body.nodes[0].condition',
      'UNKNOWN_FIELD edges[0].prot',
      'UNKNOWN_FIELD policies.retry.jiter',
    ]);
  });

  it('leaves free-form objects alone: inputs, JSON Schemas, payloads', () => {
    const result = problemsOf((w) => {
      w.nodes[0] = { ...w.nodes[0], inputs: { document: '{{ input.document }}', anything: { at: 'all' } } };
      w['inputs'] = { type: 'object', properties: { document: { type: 'string', whatever: true } } };
    });
    expect(result.problems.filter((p) => p.code === 'UNKNOWN_FIELD')).toEqual([]);
  });

  it('skips nodes of unknown type instead of guessing their fields', () => {
    const result = problemsOf((w) => {
      w.nodes[1] = { id: 'check', type: 'mystery', condition: 'true', whatever: 1 };
    });
    expect(codesAndPaths(result.problems)).toEqual(['UNKNOWN_NODE_TYPE nodes[1].type']);
  });
});
