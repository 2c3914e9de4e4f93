import {
  type AgentDefinition,
  type AgentDefinitionInput,
  AgentDefinitionSchema,
} from '../model/agent-schema.js';
import { AgentCatalog } from '../registry/agent-catalog.js';

/**
 * Documents the validation tests start from: a valid workflow that uses every kind of reference, and the
 * agents it calls. Tests copy them and break one thing at a time.
 */

/** An agent definition with the given id and version and plausible everything else. */
export function agentDefinition(
  overrides: Partial<AgentDefinitionInput> & Pick<AgentDefinitionInput, 'id' | 'version'>,
): AgentDefinition {
  return AgentDefinitionSchema.parse({
    name: overrides.id,
    kind: 'builtin',
    capabilities: { domain: 'legal', skills: ['extraction'] },
    performance: {
      avgLatency: 100,
      successRate: 99,
      throughput: 100,
      costPerExecution: 0.01,
      reliability: 99,
    },
    config: { maxConcurrency: 4, timeout: 30_000, retryPolicy: { maxRetries: 2, backoff: 'exponential' } },
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    ...overrides,
  });
}

/** The agents `validWorkflow` calls: `acme.extract` (1.0.0, 1.2.0) and `acme.draft` (1.0.0). */
export function fixtureAgents(): AgentDefinition[] {
  const extractOutput = {
    type: 'object',
    properties: { items: { type: 'array', items: { type: 'string' } }, title: { type: 'string' } },
    additionalProperties: false,
  };
  const extractInput = {
    type: 'object',
    properties: { document: { type: 'string' } },
    required: ['document'],
    additionalProperties: false,
  };
  return [
    agentDefinition({
      id: 'acme.extract',
      version: '1.0.0',
      inputSchema: extractInput,
      outputSchema: extractOutput,
    }),
    agentDefinition({
      id: 'acme.extract',
      version: '1.2.0',
      inputSchema: extractInput,
      outputSchema: extractOutput,
    }),
    agentDefinition({
      id: 'acme.draft',
      version: '1.0.0',
      capabilities: { domain: 'sales', skills: ['drafting', 'pricing'] },
      inputSchema: { type: 'object', properties: { item: { type: 'string' }, count: { type: 'integer' } } },
      outputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    }),
  ];
}

/** A catalog of `fixtureAgents()`. */
export function fixtureCatalog(): AgentCatalog {
  return new AgentCatalog(fixtureAgents());
}

/**
 * A valid workflow document: extract, check, a for-each loop that drafts one answer per item, an approval,
 * a transform, and an output. Returns a fresh copy each call.
 */
export function validWorkflow(): Record<string, unknown> & {
  nodes: Record<string, unknown>[];
  edges: unknown[];
} {
  return {
    id: 'rfp-response',
    name: 'RFP response',
    version: '1.0.0',
    inputs: {
      type: 'object',
      properties: { document: { type: 'string' }, region: { type: 'string' } },
      required: ['document'],
      additionalProperties: false,
    },
    variables: { attempts: { default: 0 } },
    nodes: [
      {
        id: 'extract',
        type: 'agent',
        agent: { id: 'acme.extract', version: '^1.0.0' },
        inputs: { document: '{{ input.document }}' },
      },
      { id: 'check', type: 'conditional', condition: 'nodes.extract.output.items.length > 0' },
      {
        id: 'each',
        type: 'loop',
        forEach: 'nodes.extract.output.items',
        output: 'nodes.draft.output.text',
        body: {
          nodes: [
            {
              id: 'draft',
              type: 'agent',
              agent: { id: 'acme.draft' },
              inputs: { item: '{{ loop.item }}', count: 3 },
            },
          ],
        },
      },
      {
        id: 'review',
        type: 'approval',
        assignee: 'role:legal',
        message: 'Review {{ nodes.each.output.length }} answers for {{ input.region }}',
        assign: { attempts: 'vars.attempts + 1' },
      },
      {
        id: 'format',
        type: 'transform',
        set: { count: 'nodes.each.output.length', title: 'nodes.extract.output.title' },
      },
    ],
    edges: [
      { from: 'extract', to: 'check' },
      { from: 'check', to: 'each', port: 'true' },
      { from: 'each', to: 'review' },
      { from: 'review', to: 'format', port: 'approved' },
    ],
    outputs: { count: { value: 'nodes.format.output.count' } },
  };
}

/** Problems as `CODE path` lines: compact to compare in tests. */
export function codesAndPaths(problems: readonly { code: string; path: string }[]): string[] {
  return problems.map((p) => `${p.code} ${p.path}`);
}
