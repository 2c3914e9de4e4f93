import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../errors/errors.js';
import { AgentCatalog } from '../registry/agent-catalog.js';
import { validateWorkflow } from '../validate/validate-workflow.js';
import { AgentDefinitionSchema } from './agent-schema.js';
import { fromNestedForm, isNestedForm } from './nested-form.js';
import { WorkflowSchema } from './workflow-schema.js';

/**
 * The spec's business case (RFP response) written in the spec's nested form. As in the spec, agents hand data
 * on through variables: `outputs: ["requirements"]` stores the output field `requirements` in `vars`.
 */
const rfpNested = {
  name: 'RFP Response Generation',
  description: 'Analyze an RFP, draft the technical and pricing sections at once, check them, assemble.',
  nodes: [
    {
      type: 'agent',
      agentId: 'builtin.rfp-analyzer@1.0.0',
      config: {
        inputs: { document: '{{ input.rfpText }}' },
        timeout: 300_000,
        retryPolicy: { maxRetries: 2, backoff: 'exponential' },
      },
      outputs: ['title', 'issuer'],
    },
    {
      type: 'parallel',
      waitForAll: true,
      aggregateOutputs: true,
      branches: [
        [
          {
            type: 'agent',
            agentId: 'builtin.requirements-extractor',
            config: {
              inputs: { text: '{{ input.rfpText }}' },
              timeout: 60_000,
              retryPolicy: { maxRetries: 2, backoff: 'linear' },
            },
            outputs: ['requirements'],
          },
          {
            type: 'agent',
            agentId: 'builtin.solution-researcher',
            config: {
              inputs: { text: '{{ input.rfpText }}', knowledgeBase: '{{ input.knowledgeBase }}' },
              timeout: 60_000,
              retryPolicy: { maxRetries: 1, backoff: 'exponential' },
            },
            outputs: ['solutions'],
          },
          {
            type: 'agent',
            agentId: 'builtin.technical-writer',
            config: {
              inputs: {
                title: 'Technical Approach',
                requirements: '{{ vars.requirements }}',
                solutions: '{{ vars.solutions }}',
              },
              timeout: 120_000,
              retryPolicy: { maxRetries: 1, backoff: 'exponential' },
            },
            outputs: ['markdown'],
          },
        ],
        [
          {
            type: 'agent',
            agentId: 'builtin.pricing-calculator',
            config: {
              inputs: { priceList: '{{ input.priceList }}', items: '{{ input.items }}' },
              timeout: 30_000,
              retryPolicy: { maxRetries: 0, backoff: 'linear' },
            },
            outputs: ['total'],
          },
        ],
      ],
    },
    {
      type: 'agent',
      agentId: 'builtin.legal-reviewer',
      config: {
        inputs: { text: '{{ vars.markdown }}' },
        timeout: 60_000,
        retryPolicy: { maxRetries: 1, backoff: 'exponential' },
      },
      outputs: ['passed', 'findings'],
    },
    {
      type: 'conditional',
      condition: 'vars.passed',
      trueBranch: [],
      falseBranch: [
        {
          type: 'approval',
          assignee: 'role:legal-counsel',
          timeout: 3_600_000,
          approvalMessage: 'Legal review found {{ length(vars.findings) }} issues. Send anyway?',
          requiredFields: ['findings'],
        },
      ],
    },
    {
      type: 'agent',
      agentId: 'builtin.document-assembler',
      config: {
        inputs: {
          title: 'Response to {{ vars.title }} ({{ vars.issuer }})',
          sections: [{ title: 'Technical Approach', body: '{{ vars.markdown }}' }],
        },
        timeout: 30_000,
        retryPolicy: { maxRetries: 1, backoff: 'linear' },
      },
      outputs: ['document'],
    },
  ],
};

describe('isNestedForm', () => {
  it('recognizes the spec nested form by its nested-only fields', () => {
    expect(isNestedForm(rfpNested)).toBe(true);
    expect(isNestedForm({ name: 'x', nodes: [{ type: 'loop', forEach: 'input.items', body: [] }] })).toBe(
      true,
    );
    expect(
      isNestedForm({ name: 'x', nodes: [{ type: 'parallel', branches: [[{ type: 'emit', event: 'e' }]] }] }),
    ).toBe(true);
  });

  it('says no to graph-form documents and to anything else', () => {
    expect(isNestedForm({ ...rfpNested, edges: [] })).toBe(false);
    const graph = {
      nodes: [{ id: 'p', type: 'parallel', branches: [{ nodes: [{ id: 'a', type: 'agent' }] }] }],
    };
    expect(isNestedForm(graph)).toBe(false);
    expect(isNestedForm({ nodes: [{ id: 'a', type: 'agent', agent: { id: 'builtin.summarizer' } }] })).toBe(
      false,
    );
    expect(isNestedForm(null)).toBe(false);
    expect(isNestedForm([rfpNested])).toBe(false);
    expect(isNestedForm({ nodes: 'no' })).toBe(false);
  });
});

describe('fromNestedForm on the spec RFP example', () => {
  const graph = fromNestedForm(rfpNested);

  it('produces a document that parses as a workflow', () => {
    expect(() => WorkflowSchema.parse(graph)).not.toThrow();
    expect(graph.id).toBe('rfp-response-generation');
    expect(graph.version).toBe('1.0.0');
  });

  it('produces a workflow that validates against the built-in agents of the templates', () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'agents', 'definitions');
    const agents = readdirSync(dir).map((file) =>
      AgentDefinitionSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))),
    );
    const result = validateWorkflow(graph, { agents: new AgentCatalog(agents) });
    expect(result.problems.map((p) => `${p.severity} ${p.code} ${p.path}: ${p.message}`)).toEqual([]);
  });

  it('turns the sequence and the conditional into edges, both branches joining the next step', () => {
    expect(graph.nodes.map((n) => `${n.type}:${n.id}`)).toEqual([
      'agent:rfp_analyzer',
      'parallel:parallel_1',
      'agent:legal_reviewer',
      'conditional:conditional_1',
      'approval:approval_1',
      'agent:document_assembler',
    ]);
    expect(graph.edges).toEqual([
      { from: 'rfp_analyzer', to: 'parallel_1' },
      { from: 'parallel_1', to: 'legal_reviewer' },
      { from: 'legal_reviewer', to: 'conditional_1' },
      { from: 'conditional_1', to: 'approval_1', port: 'false' },
      { from: 'conditional_1', to: 'document_assembler', port: 'true' },
      { from: 'approval_1', to: 'document_assembler' },
    ]);
  });

  it('turns each parallel branch into a sub-graph of its own', () => {
    const parallel = graph.nodes[1];
    expect(parallel?.type === 'parallel' && parallel.waitFor).toBe('all');
    expect(parallel?.type === 'parallel' && parallel.branches).toEqual([
      {
        nodes: [
          expect.objectContaining({ id: 'requirements_extractor' }),
          expect.objectContaining({ id: 'solution_researcher' }),
          expect.objectContaining({ id: 'technical_writer' }),
        ],
        edges: [
          { from: 'requirements_extractor', to: 'solution_researcher' },
          { from: 'solution_researcher', to: 'technical_writer' },
        ],
      },
      { nodes: [expect.objectContaining({ id: 'pricing_calculator' })], edges: [] },
    ]);
  });

  it('maps agent fields and stores outputs in declared workflow variables', () => {
    expect(graph.nodes[0]).toEqual({
      id: 'rfp_analyzer',
      type: 'agent',
      agent: { id: 'builtin.rfp-analyzer', version: '1.0.0' },
      inputs: { document: '{{ input.rfpText }}' },
      timeoutMs: 300_000,
      retry: { maxRetries: 2, backoff: 'exponential' },
      assign: { title: 'output.title', issuer: 'output.issuer' },
    });
    expect(Object.keys(graph.variables ?? {})).toEqual([
      'title',
      'issuer',
      'requirements',
      'solutions',
      'markdown',
      'total',
      'passed',
      'findings',
      'document',
    ]);
  });

  it('maps the approval and makes it approve on timeout, as the spec says', () => {
    expect(graph.nodes[4]).toEqual({
      id: 'approval_1',
      type: 'approval',
      assignee: 'role:legal-counsel',
      message: 'Legal review found {{ length(vars.findings) }} issues. Send anyway?',
      requiredFields: ['findings'],
      deadlineMs: 3_600_000,
      autoDecision: 'approved',
    });
  });
});

describe('fromNestedForm ids', () => {
  it('generates readable ids, deduplicated and never taking an id written in the document', () => {
    const graph = fromNestedForm({
      name: 'Ids',
      nodes: [
        { type: 'agent', agentId: 'builtin.summarizer' },
        { type: 'agent', agentId: 'acme.text.summarizer@2.0.0' },
        { type: 'conditional', condition: 'true', trueBranch: [{ type: 'emit', event: 'a' }] },
        { id: 'emit_1', type: 'emit', event: 'b' },
        { type: 'agent', agent: { id: 'builtin.keyword-extractor' } },
        { type: 'agent', agentId: '9lives' },
      ],
    });
    expect(graph.nodes.map((n) => n.id)).toEqual([
      'summarizer',
      'summarizer_2',
      'conditional_1',
      'emit_2',
      'emit_1',
      'keyword_extractor',
      'node_9lives',
    ]);
  });
});

/** Every field the nested form can carry, on every node type. */
const everything = {
  $schema: '../docs/workflow.schema.json',
  id: 'everything',
  name: 'Every nested field',
  version: '2.1.0',
  description: 'A document that uses every field of the nested form.',
  tags: ['test', 'nested'],
  inputs: { type: 'object', properties: { items: { type: 'array' } }, required: ['items'] },
  variables: { counter: { default: 0, description: 'Counts things.' } },
  outputs: { total: { value: 'vars.counter', description: 'The count.' } },
  policies: { timeoutMs: 90_000, priority: 70, onFailure: 'rollback', budget: { maxCostUsd: 3.5 } },
  nodes: [
    {
      id: 'fetch',
      name: 'Fetch data',
      description: 'Calls the collector.',
      type: 'agent',
      agentId: 'builtin.data-collector@^1.2.0',
      config: {
        inputs: { source: '{{ input.items }}', limit: 25 },
        timeout: 45_000,
        retryPolicy: { maxRetries: 4, backoff: 'linear', initialDelayMs: 250, maxDelayMs: 9000, jitter: 0.1 },
      },
      outputs: ['records', 'row-count'],
      assign: { counter: 'vars.counter + 1' },
      optional: true,
      fallbacks: [{ id: 'builtin.backup-collector', version: '1.0.0' }],
      compensation: { type: 'transform', set: { undone: 'true' } },
      position: { x: 10, y: 20 },
      errorBranch: [
        {
          id: 'on_fetch_error',
          type: 'emit',
          event: 'fetch.failed',
          payload: { why: '{{ error.message }}' },
        },
      ],
    },
    {
      id: 'route',
      type: 'conditional',
      name: 'Route by size',
      cases: [
        {
          port: 'big',
          when: 'length(vars.records) > 100',
          branch: [{ id: 'big_wait', type: 'wait', durationMs: 1500 }],
        },
        { when: 'length(vars.records) == 0', branch: [] },
      ],
      defaultBranch: [{ id: 'note', type: 'transform', set: { size: 'length(vars.records)' } }],
    },
    {
      id: 'fan',
      type: 'parallel',
      waitForAll: false,
      aggregateOutputs: false,
      branches: [
        {
          name: 'left',
          output: 'nodes.left_child.output',
          nodes: [
            {
              id: 'left_child',
              type: 'subworkflow',
              workflow: { id: 'child-flow', version: '1.0.0' },
              inputs: { x: 1 },
            },
          ],
        },
        [
          {
            id: 'right_child',
            type: 'wait',
            event: { name: 'ready', match: 'event.payload.ok', timeoutMs: 5000 },
          },
        ],
      ],
    },
    {
      id: 'each',
      type: 'loop',
      forEach: 'vars.records',
      concurrency: 3,
      maxIterations: 500,
      output: 'nodes.per_item.output',
      body: [{ id: 'per_item', type: 'transform', set: { doubled: 'loop.item * 2', at: 'loop.index' } }],
    },
    {
      id: 'signoff',
      type: 'approval',
      name: 'Sign off',
      assignee: 'role:manager',
      timeout: 86_400_000,
      approvalMessage: 'Approve {{ length(vars.records) }} records?',
      requiredFields: ['records', 'row-count'],
      urgency: 'high',
      channels: ['email', 'in_app'],
      options: ['approved', 'rejected', 'escalated'],
    },
    {
      id: 'check',
      type: 'conditional',
      condition: 'vars.counter > 0',
      trueBranch: [{ id: 'done', type: 'emit', event: 'all.done' }],
      falseBranch: [],
    },
  ],
};

/** Leaf values of a document, as strings. */
function leaves(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => leaves(v, out));
  else out.push(String(value));
  return out;
}

describe('fromNestedForm on every field', () => {
  const graph = fromNestedForm(everything);

  it('produces a document that parses as a workflow', () => {
    expect(() => WorkflowSchema.parse(graph)).not.toThrow();
  });

  it('keeps every value of the nested document', () => {
    // Values the conversion changes on purpose are checked one by one below.
    const changed = new Set(['builtin.data-collector@^1.2.0', 'records', 'row-count']);
    const present = new Set(leaves(graph));
    const missing = leaves(everything).filter((v) => !changed.has(v) && !present.has(v));
    expect(missing).toEqual([]);
  });

  it('maps the spec fields to ours', () => {
    const [fetch, route, fan, each, signoff] = ['fetch', 'route', 'fan', 'each', 'signoff'].map((id) =>
      graph.nodes.find((n) => n.id === id),
    );
    expect(fetch).toMatchObject({
      agent: { id: 'builtin.data-collector', version: '^1.2.0' },
      inputs: { source: '{{ input.items }}', limit: 25 },
      timeoutMs: 45_000,
      retry: { maxRetries: 4, backoff: 'linear', initialDelayMs: 250, maxDelayMs: 9000, jitter: 0.1 },
      assign: { counter: 'vars.counter + 1', records: 'output.records', 'row-count': 'output["row-count"]' },
      onError: 'route',
    });
    expect(route).toMatchObject({ cases: [{ port: 'big' }, { port: 'case_2' }] });
    expect(fan).toMatchObject({
      waitFor: 'first',
      aggregateOutputs: false,
      branches: [{ name: 'left' }, {}],
    });
    expect(each).toMatchObject({ body: { nodes: [{ id: 'per_item' }], edges: [] } });
    expect(signoff).toMatchObject({
      deadlineMs: 86_400_000,
      autoDecision: 'approved',
      message: 'Approve {{ length(vars.records) }} records?',
    });
    expect(graph.variables).toMatchObject({
      counter: { default: 0 },
      records: { description: 'The "records" output of node "fetch".' },
      'row-count': { description: 'The "row-count" output of node "fetch".' },
    });
  });

  it('wires error branches, switch ports and empty branches to the next step', () => {
    expect(graph.edges).toEqual([
      { from: 'fetch', to: 'on_fetch_error', port: 'error' },
      { from: 'fetch', to: 'route' },
      { from: 'on_fetch_error', to: 'route' },
      { from: 'route', to: 'big_wait', port: 'big' },
      { from: 'route', to: 'note', port: 'default' },
      { from: 'big_wait', to: 'fan' },
      { from: 'route', to: 'fan', port: 'case_2' },
      { from: 'note', to: 'fan' },
      { from: 'fan', to: 'each' },
      { from: 'each', to: 'signoff' },
      { from: 'signoff', to: 'check' },
      { from: 'check', to: 'done', port: 'true' },
    ]);
  });
});

describe('fromNestedForm problems', () => {
  function problemsOf(document: unknown): { path: string; code: string }[] {
    try {
      fromNestedForm(document);
    } catch (error) {
      expect(error).toBeInstanceOf(DefinitionError);
      return (error as DefinitionError).problems.map(({ path, code }) => ({ path, code }));
    }
    throw new Error('expected a DefinitionError');
  }

  it('reports every shape it cannot convert, with the path into the nested document', () => {
    const problems = problemsOf({
      nodes: [
        { type: 'agent', agentId: 'x@', config: { inputs: {}, priority: 3 }, outputs: ['ok', 'not ok'] },
        { type: 'parallel', branches: [[], { nodes: [{ type: 'emit', event: 'e' }], edges: [] }] },
        { type: 'loop', forEach: 'input.items', body: { nodes: [] } },
        { type: 'teleport' },
        { type: 'conditional', condition: 'x', trueBranch: 'nope' },
        { type: 'approval', assignee: 'a', approvalMessage: 'm', message: 'n' },
        'stray',
      ],
      edges: [{ from: 'a', to: 'b' }],
    });
    expect(problems).toEqual([
      { path: 'name', code: 'NESTED_FORM' },
      { path: 'edges', code: 'NESTED_FORM' },
      { path: 'nodes[0].agentId', code: 'NESTED_FORM' },
      { path: 'nodes[0].config.priority', code: 'NESTED_FORM' },
      { path: 'nodes[0].outputs[1]', code: 'NESTED_FORM' },
      { path: 'nodes[1].branches[0]', code: 'NESTED_FORM' },
      { path: 'nodes[1].branches[1]', code: 'NESTED_FORM' },
      { path: 'nodes[2].body', code: 'NESTED_FORM' },
      { path: 'nodes[3].type', code: 'NESTED_FORM' },
      { path: 'nodes[4].trueBranch', code: 'NESTED_FORM' },
      { path: 'nodes[5].approvalMessage', code: 'NESTED_FORM' },
      { path: 'nodes[6]', code: 'NESTED_FORM' },
    ]);
  });

  it('reports a duplicate id and a document that is not an object', () => {
    expect(
      problemsOf({
        name: 'd',
        nodes: [
          { id: 'a', type: 'emit', event: 'x' },
          { id: 'a', type: 'emit', event: 'y' },
        ],
      }),
    ).toEqual([{ path: 'nodes[1].id', code: 'NESTED_FORM' }]);
    expect(problemsOf('text')).toEqual([{ path: '', code: 'NESTED_FORM' }]);
  });

  it('explains the problem in the error message of each problem', () => {
    try {
      fromNestedForm({
        name: 'x',
        nodes: [{ type: 'conditional', condition: 'c', cases: [], trueBranch: [] }],
      });
    } catch (error) {
      expect((error as DefinitionError).problems[0]?.message).toMatch(/either "condition".*or "cases"/);
    }
  });
});
