import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../errors/errors.js';
import { parseAgentDefinition, validateAgentDefinition } from './validate-agent.js';
import { agentDefinition, codesAndPaths } from './validation-fixtures.js';

function document(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const plain = JSON.parse(
    JSON.stringify(agentDefinition({ id: 'acme.review', version: '1.0.0' })),
  ) as object;
  return { ...plain, ...changes };
}

describe('validateAgentDefinition', () => {
  it('accepts a complete definition and applies defaults', () => {
    const raw = document();
    delete raw['status'];
    const result = validateAgentDefinition(raw);
    expect(result.problems).toEqual([]);
    expect(result.agent?.status).toBe('active');
  });

  it('reports every schema problem at once with readable messages', () => {
    const result = validateAgentDefinition(
      document({ kind: 'lmm', version: 'v1', createdAt: 'yesterday', performance: { avgLatency: -1 } }),
    );
    expect(result.ok).toBe(false);
    expect(result.agent).toBeUndefined();
    expect(codesAndPaths(result.problems)).toEqual([
      'INVALID_VALUE version',
      'INVALID_VALUE kind',
      'INVALID_VALUE performance.avgLatency',
      'MISSING_FIELD performance.successRate',
      'MISSING_FIELD performance.throughput',
      'MISSING_FIELD performance.costPerExecution',
      'MISSING_FIELD performance.reliability',
      'INVALID_VALUE createdAt',
    ]);
    expect(result.problems[1]?.message).toBe(
      '"lmm" is not one of "builtin", "function", "llm", "http", "a2a", "mcp", "script" or "workflow" (did you mean "llm"?)',
    );
    expect(result.problems.at(-1)?.message).toBe(
      '"yesterday" is not an ISO 8601 date-time such as "2025-01-31T09:00:00Z"',
    );
  });

  it('warns about misspelt fields', () => {
    const result = validateAgentDefinition(document({ replacedby: 'acme.other' }));
    expect(result.ok).toBe(true);
    expect(result.problems[0]?.message).toBe(
      'unknown field "replacedby" (did you mean "replacedBy"?) is ignored',
    );
  });

  it('checks its input and output schemas are valid JSON Schemas', () => {
    const result = validateAgentDefinition(
      document({
        inputSchema: { type: 'object', required: 'text' },
        outputSchema: { type: ['object', 'lsit'] },
      }),
    );
    expect(codesAndPaths(result.problems)).toEqual([
      'INVALID_JSON_SCHEMA inputSchema.required',
      'INVALID_JSON_SCHEMA outputSchema.type',
    ]);
  });

  it('warns about inputs listed as both required and optional, or missing from the input schema', () => {
    const raw = document({ inputSchema: { type: 'object', properties: { text: { type: 'string' } } } });
    raw['config'] = {
      ...(raw['config'] as object),
      requiredInputs: ['text', 'language'],
      optionalInputs: ['text'],
    };
    const result = validateAgentDefinition(raw);
    expect(result.ok).toBe(true);
    expect(codesAndPaths(result.problems)).toEqual([
      'REQUIRED_INPUT_NOT_IN_SCHEMA config.requiredInputs[1]',
      'INPUT_LISTED_TWICE config.optionalInputs[0]',
    ]);
  });
});

describe('parseAgentDefinition', () => {
  it('returns the definition or throws a DefinitionError naming the agent', () => {
    expect(parseAgentDefinition(document()).id).toBe('acme.review');
    expect(() => parseAgentDefinition(document({ kind: 'robot' }))).toThrow(DefinitionError);
    expect(() => parseAgentDefinition(document({ kind: 'robot' }))).toThrow(
      'agent "acme.review" is invalid: 1 problem',
    );
  });
});
