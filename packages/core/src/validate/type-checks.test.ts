import { describe, expect, it } from 'vitest';
import { AgentCatalog } from '../registry/agent-catalog.js';
import { validateWorkflow } from './validate-workflow.js';
import {
  agentDefinition,
  codesAndPaths,
  fixtureAgents,
  fixtureCatalog,
  validWorkflow,
} from './validation-fixtures.js';

type Doc = ReturnType<typeof validWorkflow>;

function check(
  mutate: (w: Doc) => void,
  catalog: AgentCatalog = fixtureCatalog(),
): ReturnType<typeof validateWorkflow> {
  const workflow = validWorkflow();
  mutate(workflow);
  return validateWorkflow(workflow, { agents: catalog });
}

function draftInputs(inputs: Record<string, unknown>): (w: Doc) => void {
  return (w) => {
    const loop = w.nodes[2] as { body: { nodes: Record<string, unknown>[] } };
    loop.body.nodes[0] = { ...loop.body.nodes[0], inputs };
  };
}

function extractInputs(inputs: Record<string, unknown>): (w: Doc) => void {
  return (w) => {
    w.nodes[0] = { ...w.nodes[0], inputs };
  };
}

describe('required and unexpected inputs', () => {
  it('reports an input the agent requires that the node does not pass', () => {
    const result = check(extractInputs({}));
    expect(result.problems).toEqual([
      {
        code: 'MISSING_INPUT',
        path: 'nodes[0].inputs',
        message: 'agent "acme.extract@1.2.0" requires input "document": add it to inputs',
        severity: 'error',
      },
    ]);
  });

  it("counts the config's required inputs as well as the schema's", () => {
    const catalog = new AgentCatalog([
      ...fixtureAgents().filter((a) => a.id !== 'acme.draft'),
      agentDefinition({
        id: 'acme.draft',
        version: '1.0.0',
        config: {
          maxConcurrency: 1,
          timeout: 1000,
          retryPolicy: { maxRetries: 0, backoff: 'linear' },
          requiredInputs: ['item', 'tone'],
        },
      }),
    ]);
    expect(codesAndPaths(check(() => undefined, catalog).problems)).toEqual([
      'MISSING_INPUT nodes[2].body.nodes[0].inputs',
    ]);
  });

  it('checks the inputs of agent compensations', () => {
    const result = check((w) => {
      w.nodes[4] = {
        ...w.nodes[4],
        compensation: { type: 'agent', agent: { id: 'acme.extract' }, inputs: {} },
      };
    });
    expect(codesAndPaths(result.problems)).toEqual(['MISSING_INPUT nodes[4].compensation.inputs']);
  });

  it('warns about an input a closed input schema does not declare', () => {
    const result = check(extractInputs({ document: '{{ input.document }}', documnet: 'x' }));
    expect(result.problems).toEqual([
      {
        code: 'UNEXPECTED_INPUT',
        path: 'nodes[0].inputs.documnet',
        message:
          'agent "acme.extract@1.2.0" takes no input "documnet" (did you mean "document"?); it takes "document"',
        severity: 'warning',
      },
    ]);
  });

  it('does not check inputs of agents it cannot resolve, or of capability queries', () => {
    const result = check((w) => {
      w.nodes[0] = { id: 'extract', type: 'agent', select: { skills: ['extraction'] }, inputs: {} };
    });
    expect(result.problems).toEqual([]);
  });
});

describe('type mismatches', () => {
  it('reports an upstream output whose type the downstream input does not take', () => {
    const result = check(draftInputs({ item: '{{ nodes.extract.output.items }}' }));
    expect(result.problems).toEqual([
      {
        code: 'TYPE_MISMATCH',
        path: 'nodes[2].body.nodes[0].inputs.item',
        message:
          'input "item" of agent "acme.draft@1.0.0" expects a string, but nodes.extract.output.items is an array: pass a string',
        severity: 'error',
      },
    ]);
  });

  it('follows items and length through the output schema', () => {
    expect(check(draftInputs({ item: '{{ nodes.extract.output.items[0] }}' })).problems).toEqual([]);
    expect(
      check(
        draftInputs({
          item: '{{ nodes.extract.output.title }}',
          count: '{{ nodes.extract.output.items.length }}',
        }),
      ).problems,
    ).toEqual([]);
    expect(
      codesAndPaths(check(draftInputs({ item: '{{ nodes.extract.output.items.length }}' })).problems),
    ).toEqual(['TYPE_MISMATCH nodes[2].body.nodes[0].inputs.item']);
  });

  it('compares literal values with the input type, integers fitting numbers', () => {
    const result = check(draftInputs({ item: 42, count: 'three' }));
    expect(codesAndPaths(result.problems)).toEqual([
      'TYPE_MISMATCH nodes[2].body.nodes[0].inputs.item',
      'TYPE_MISMATCH nodes[2].body.nodes[0].inputs.count',
    ]);
    expect(result.problems[0]?.message).toBe(
      'input "item" of agent "acme.draft@1.0.0" expects a string, but the value 42 is an integer: pass a string',
    );
    const numbers = new AgentCatalog([
      ...fixtureAgents().filter((a) => a.id !== 'acme.draft'),
      agentDefinition({
        id: 'acme.draft',
        version: '1.0.0',
        inputSchema: { properties: { count: { type: 'number' } } },
      }),
    ]);
    expect(check(draftInputs({ count: 3 }), numbers).problems).toEqual([]);
  });

  it('compares workflow inputs with the input type', () => {
    const result = check((w) => {
      w['inputs'] = {
        type: 'object',
        properties: { document: { type: 'object' }, region: { type: 'string' } },
      };
    });
    expect(codesAndPaths(result.problems)).toEqual(['TYPE_MISMATCH nodes[0].inputs.document']);
    expect(result.problems[0]?.message).toContain('but input.document is an object');
  });

  it('leaves alone what it cannot know: texts around templates, untyped schemas, transform outputs', () => {
    expect(check(draftInputs({ item: 'Item: {{ nodes.extract.output.items }}' })).problems).toEqual([]);
    expect(check(draftInputs({ item: '{{ nodes.format.output.count }}' })).problems).toEqual([
      expect.objectContaining({ code: 'NODE_NOT_UPSTREAM' }),
    ]);
    expect(check(draftInputs({ item: '{{ vars.attempts }}' })).problems).toEqual([]);
  });
});

describe('output fields', () => {
  it('reports a field a closed output schema does not declare, wherever it is read', () => {
    const result = check((w) => {
      w.nodes[1] = { ...w.nodes[1], condition: 'nodes.extract.output.itmes.length > 0' };
    });
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_OUTPUT_FIELD',
        path: 'nodes[1].condition',
        message:
          'nodes.extract.output has no field "itmes" (did you mean "items"?): the output schema of agent "acme.extract@1.2.0" declares "items" and "title"',
        severity: 'error',
      },
    ]);
  });

  it('accepts any field of an open output schema', () => {
    const result = check((w) => {
      w['outputs'] = { text: { value: 'nodes.draft.output.anything' } };
    });
    expect(result.problems).toEqual([]);
  });
});
