import { describe, expect, it } from 'vitest';
import { DefinitionError } from '../errors/errors.js';
import type { AgentNode } from '../model/node-schema.js';
import { WorkflowSchema, type Workflow } from '../model/workflow-schema.js';
import type { AgentLookup, PlanOptions } from './plan-options.js';
import { planWorkflow } from './plan-workflow.js';

type EdgeTuple = [string, string, string?];
const edges = (list: EdgeTuple[]) =>
  list.map(([from, to, port]) => (port === undefined ? { from, to } : { from, to, port }));

function workflow(nodes: unknown[], list: EdgeTuple[] = []): Workflow {
  return WorkflowSchema.parse({ id: 'w', name: 'w', version: '1.0.0', nodes, edges: edges(list) });
}

/** An agent node that takes `ms` and costs `usd`, as `agentLookup` below reports. */
const agent = (id: string, ms: number, usd = 0): unknown => ({ id, type: 'agent', inputs: { ms, usd } });
const agentLookup: AgentLookup = (node: AgentNode) => ({
  avgLatencyMs: node.inputs['ms'] as number,
  costPerExecution: node.inputs['usd'] as number,
});

const fanOut = (waitFor: 'all' | 'first'): unknown => ({
  id: 'fan',
  type: 'parallel',
  waitFor,
  branches: [
    { nodes: [agent('a', 10, 1), agent('b', 20, 2)], edges: edges([['a', 'b']]) },
    { nodes: [agent('c', 50, 4)] },
  ],
});

const loop = (
  fields: Record<string, unknown>,
  body: unknown[] = [agent('step', 10, 1), agent('check', 5, 0.5)],
) => ({
  id: 'each',
  type: 'loop',
  body: { nodes: body, edges: edges([['step', 'check']]) },
  ...fields,
});

const only = (nodes: unknown[], options: PlanOptions = {}) => {
  const task = planWorkflow(workflow(nodes), { agentLookup, ...options }).tasks[0];
  return { duration: task?.estimatedDuration, cost: task?.estimatedCost };
};

describe('parallel nodes', () => {
  it('take their longest branch when they wait for all, counting every branch’s cost', () => {
    expect(only([fanOut('all')])).toEqual({ duration: 50, cost: 7 });
  });

  it('take their shortest branch when they wait for the first, still counting every branch’s cost', () => {
    expect(only([fanOut('first')])).toEqual({ duration: 30, cost: 7 });
  });

  it('are one task of the plan, scheduled among the others', () => {
    const plan = planWorkflow(
      workflow(
        [agent('before', 5), fanOut('all'), agent('after', 5)],
        [
          ['before', 'fan'],
          ['fan', 'after'],
        ],
      ),
      { agentLookup },
    );
    expect(plan.tasks.map((t) => [t.id, t.type, t.earliestStart])).toEqual([
      ['before', 'agent', 0],
      ['fan', 'parallel', 5],
      ['after', 'agent', 55],
    ]);
    expect(plan.executionStrategy.criticalPath).toEqual(['before', 'fan', 'after']);
  });
});

describe('loop nodes', () => {
  it('run a literal list in rounds of their concurrency', () => {
    expect(only([loop({ forEach: '[1, 2, 3, 4, 5]', concurrency: 2 })])).toEqual({ duration: 45, cost: 7.5 });
  });

  it('assume the default number of iterations when the list is only known at run time', () => {
    expect(only([loop({ forEach: 'input.items' })])).toEqual({ duration: 45, cost: 4.5 });
    expect(only([loop({ forEach: 'input.items' })], { defaults: { loopIterations: 4 } })).toEqual({
      duration: 60,
      cost: 6,
    });
  });

  it('take a list that is not JSON, such as single-quoted strings, as unknown', () => {
    expect(only([loop({ forEach: "['a', 'b']" })])).toEqual({ duration: 45, cost: 4.5 });
  });

  it('cost nothing and take no time over an empty literal list', () => {
    expect(only([loop({ forEach: '[]' })])).toEqual({ duration: 0, cost: 0 });
  });

  it('run while loops one iteration at a time, never past maxIterations', () => {
    expect(only([loop({ while: 'vars.tries < 5', concurrency: 4 })])).toEqual({ duration: 45, cost: 4.5 });
    expect(only([loop({ while: 'vars.tries < 5', maxIterations: 2 })])).toEqual({ duration: 30, cost: 3 });
  });

  it('count the costliest branch of a choice in each iteration', () => {
    const body = [
      { id: 'pick', type: 'conditional', condition: 'loop.item > 1' },
      agent('step', 10, 1),
      agent('check', 30, 2),
    ];
    const choosy = {
      id: 'each',
      type: 'loop',
      forEach: '[1, 2]',
      body: {
        nodes: body,
        edges: edges([
          ['pick', 'step', 'true'],
          ['pick', 'check', 'false'],
        ]),
      },
    };
    expect(only([choosy], { defaults: { transformMs: 0 } })).toEqual({ duration: 60, cost: 4 });
    expect(
      only([choosy], {
        defaults: { transformMs: 0 },
        mode: 'expected',
        branchProbabilities: { pick: { true: 0.5 } },
      }),
    ).toEqual({ duration: 30, cost: 3 });
  });
});

describe('nested containers', () => {
  it('estimate a parallel node inside a loop from the inside out', () => {
    expect(only([loop({ forEach: '[1, 2]' }, [fanOut('all')])])).toEqual({ duration: 100, cost: 14 });
  });

  it('report a cycle inside a body with its path in the document', () => {
    const cyclic = workflow([
      {
        id: 'each',
        type: 'loop',
        forEach: 'input.items',
        body: {
          nodes: [agent('x', 1), agent('y', 1)],
          edges: edges([
            ['x', 'y'],
            ['y', 'x'],
          ]),
        },
      },
    ]);
    expect(() => planWorkflow(cyclic)).toThrow(DefinitionError);
    expect(() => planWorkflow(cyclic)).toThrow(/^nodes\[0\]\.body\.nodes\[0\]: "x" → "y" → "x" is a cycle/);
  });
});
