import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../errors/errors.js';
import { PROBLEM_CODES } from './problem.js';
import { parseWorkflow, validateWorkflow } from './validate-workflow.js';
import { codesAndPaths, fixtureCatalog, validWorkflow } from './validation-fixtures.js';

describe('validateWorkflow', () => {
  it('accepts the valid workflow and returns it with defaults applied', () => {
    const result = validateWorkflow(validWorkflow(), { agents: fixtureCatalog() });
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.workflow?.policies).toEqual({ priority: 50, onFailure: 'fail' });
    expect(result.workflow?.description).toBe('');
  });

  it('returns the workflow when only semantic checks fail, so tools can still show it', () => {
    const workflow = validWorkflow();
    workflow.edges.push({ from: 'format', to: 'extract' });
    const result = validateWorkflow(workflow);
    expect(result.ok).toBe(false);
    expect(result.workflow).toBeDefined();
  });

  it('reports structural and semantic problems together, in document order', () => {
    const workflow = validWorkflow();
    workflow.nodes[1] = { id: 'check', type: 'conditional', condition: 'nodes.extrat.output' };
    workflow.nodes[4] = { ...workflow.nodes[4], retry: { maxRetries: 1, initialDelayMs: 10, maxDelayMs: 1 } };
    workflow.edges.push({ from: 'review', to: 'nowhere' });
    const result = validateWorkflow(workflow);
    expect(codesAndPaths(result.problems)).toEqual([
      'UNKNOWN_NODE nodes[1].condition',
      'RETRY_DELAYS nodes[4].retry.maxDelayMs',
      'UNKNOWN_NODE edges[4].to',
    ]);
  });

  it('reports an embedded JSON Schema that is not valid, with a suggestion', () => {
    const workflow = validWorkflow();
    workflow['inputs'] = { type: 'object', properties: { document: { type: 'strng' } } };
    workflow['variables'] = { attempts: { schema: { type: 'integer', minimum: 'zero' } } };
    const result = validateWorkflow(workflow);
    expect(codesAndPaths(result.problems)).toEqual([
      'INVALID_JSON_SCHEMA inputs.properties.document.type',
      'INVALID_JSON_SCHEMA variables.attempts.schema.minimum',
      'UNKNOWN_INPUT nodes[3].message',
    ]);
    expect(result.problems[0]?.message).toMatch(
      /^not a valid JSON Schema: "strng" is not one of .* \(did you mean "string"\?\)$/,
    );
    expect(result.problems[1]?.message).toBe('not a valid JSON Schema: "zero" must be number');
  });

  it('never reports the same problem twice', () => {
    const workflow = validWorkflow();
    workflow.nodes[4] = { id: 'format', type: 'transform', set: { a: 'nodes.nope.x', b: 'nodes.nope.y' } };
    const result = validateWorkflow(workflow);
    expect(codesAndPaths(result.problems)).toEqual([
      'UNKNOWN_NODE nodes[4].set.a',
      'UNKNOWN_NODE nodes[4].set.b',
    ]);
  });
});

describe('parseWorkflow', () => {
  it('returns the workflow when there are only warnings', () => {
    const workflow = validWorkflow();
    workflow.edges.push({ from: 'extract', to: 'check' });
    expect(parseWorkflow(workflow).id).toBe('rfp-response');
  });

  it('throws a DefinitionError naming the workflow and carrying every problem', () => {
    const workflow = validWorkflow();
    workflow.edges.push(
      { from: 'extrat', to: 'check' },
      { from: 'format', to: 'format' },
      { from: 'extract', to: 'check' },
    );
    workflow.nodes[4] = { ...workflow.nodes[4], set: { x: '(' } };
    let thrown: unknown;
    try {
      parseWorkflow(workflow);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DefinitionError);
    const error = thrown as DefinitionError;
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.message).toBe('workflow "rfp-response" is invalid: 3 problems (and 1 warning)');
    expect(codesAndPaths(error.problems)).toEqual([
      'EXPRESSION_SYNTAX nodes[4].set.x',
      'UNKNOWN_NODE edges[4].from',
      'SELF_LOOP edges[5]',
      'DUPLICATE_EDGE edges[6]',
    ]);
    expect(error.toJSON().details?.['problems']).toHaveLength(4);
  });

  it('names a document without an id plainly', () => {
    expect(() => parseWorkflow([])).toThrow('workflow is invalid: 1 problem');
  });
});

describe('problem codes', () => {
  it('are each explained in the validation guide', () => {
    const guide = readFileSync(new URL('../../../../docs/validation.md', import.meta.url), 'utf8');
    const missing = PROBLEM_CODES.filter((code) => !guide.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});
