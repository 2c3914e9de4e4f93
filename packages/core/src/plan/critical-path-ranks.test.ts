import { describe, expect, it } from 'vitest';
import type { AgentNode } from '../model/node-schema.js';
import { WorkflowSchema, type Workflow } from '../model/workflow-schema.js';
import { criticalPathRanks } from './critical-path-ranks.js';
import type { AgentLookup, PlanOptions } from './plan-options.js';
import { planWorkflow } from './plan-workflow.js';

type EdgeTuple = [string, string, string?];
const edges = (list: EdgeTuple[]) =>
  list.map(([from, to, port]) => (port === undefined ? { from, to } : { from, to, port }));

function workflow(nodes: unknown[], list: EdgeTuple[] = []): Workflow {
  return WorkflowSchema.parse({ id: 'w', name: 'w', version: '1.0.0', nodes, edges: edges(list) });
}

const agent = (id: string, ms: number): unknown => ({ id, type: 'agent', inputs: { ms } });
const agentLookup: AgentLookup = (node: AgentNode) => ({
  avgLatencyMs: node.inputs['ms'] as number,
  costPerExecution: 0,
});

describe('criticalPathRanks', () => {
  it('ranks top-level nodes by their longest remaining path, as the plan does', () => {
    const diamond = workflow(
      [agent('a', 10), agent('b', 20), agent('c', 30), agent('d', 5)],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'd'],
        ['c', 'd'],
      ],
    );
    expect(Object.fromEntries(criticalPathRanks(diamond, { agentLookup }))).toEqual({
      a: 45,
      b: 25,
      c: 35,
      d: 5,
    });
    const plan = planWorkflow(diamond, { agentLookup });
    for (const task of plan.tasks) {
      expect(criticalPathRanks(diamond, { agentLookup }).get(task.id)).toBe(
        plan.executionStrategy.totalEstimatedTime - task.latestStart,
      );
    }
  });

  it('ranks the nodes of a loop body by what is left of the body plus what follows the loop', () => {
    const looped = workflow(
      [
        agent('before', 5),
        {
          id: 'each',
          type: 'loop',
          forEach: '[1, 2]',
          body: { nodes: [agent('step', 10), agent('check', 5)], edges: edges([['step', 'check']]) },
        },
        agent('after', 7),
      ],
      [
        ['before', 'each'],
        ['each', 'after'],
      ],
    );
    expect(Object.fromEntries(criticalPathRanks(looped, { agentLookup }))).toEqual({
      before: 42,
      each: 37,
      after: 7,
      step: 22,
      check: 12,
    });
  });

  it('ranks the nodes of parallel branches, nested containers included', () => {
    const fanned = workflow(
      [
        {
          id: 'fan',
          type: 'parallel',
          branches: [
            { nodes: [agent('a', 10), agent('b', 20)], edges: edges([['a', 'b']]) },
            {
              nodes: [
                {
                  id: 'inner',
                  type: 'loop',
                  while: 'vars.more',
                  maxIterations: 1,
                  body: { nodes: [agent('c', 50)] },
                },
              ],
            },
          ],
        },
        agent('end', 5),
      ],
      [['fan', 'end']],
    );
    expect(Object.fromEntries(criticalPathRanks(fanned, { agentLookup }))).toEqual({
      fan: 55,
      end: 5,
      a: 35,
      b: 25,
      inner: 55,
      c: 55,
    });
  });

  it('uses the mode and probabilities it is given', () => {
    const choice = workflow(
      [{ id: 'check', type: 'conditional', condition: 'input.x' }, agent('yes', 100), agent('no', 10)],
      [
        ['check', 'yes', 'true'],
        ['check', 'no', 'false'],
      ],
    );
    const options: PlanOptions = { agentLookup, defaults: { transformMs: 0 } };
    expect(criticalPathRanks(choice, options).get('check')).toBe(100);
    expect(
      criticalPathRanks(choice, {
        ...options,
        mode: 'expected',
        branchProbabilities: { check: { true: 0.1 } },
      }).get('check'),
    ).toBeCloseTo(10);
  });
});
