import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentDefinitionJsonSchema, workflowJsonSchema } from './json-schema.js';

const docs = join(import.meta.dirname, '../../../../docs');

function published(name: string): unknown {
  return JSON.parse(readFileSync(join(docs, name), 'utf8'));
}

describe('published JSON Schemas', () => {
  it('docs/workflow.schema.json matches the workflow model (run `npm run schemas` after changing it)', () => {
    expect(published('workflow.schema.json')).toEqual(workflowJsonSchema());
  });

  it('docs/agent.schema.json matches the agent model (run `npm run schemas` after changing it)', () => {
    expect(published('agent.schema.json')).toEqual(agentDefinitionJsonSchema());
  });

  it('describes every node type', () => {
    const text = JSON.stringify(workflowJsonSchema());
    for (const type of [
      'agent',
      'conditional',
      'parallel',
      'loop',
      'approval',
      'transform',
      'subworkflow',
      'wait',
      'emit',
    ]) {
      expect(text).toContain(`"const":"${type}"`);
    }
  });
});
