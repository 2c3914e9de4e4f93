import { describe, expect, it } from 'vitest';
import type { AgentNode } from '../model/node-schema.js';
import { WorkflowSchema, type Workflow } from '../model/workflow-schema.js';
import type { AgentLookup, BranchProbabilities } from './plan-options.js';
import { planWorkflow } from './plan-workflow.js';

function workflow(nodes: unknown[], edges: [string, string, string?][] = []): Workflow {
  return WorkflowSchema.parse({
    id: 'w',
    name: 'w',
    version: '1.0.0',
    nodes,
    edges: edges.map(([from, to, port]) => (port === undefined ? { from, to } : { from, to, port })),
  });
}

/** An agent node whose agent takes `ms` and costs `usd`, as `agentLookup` below reports. */
const agent = (id: string, ms: number, usd: number): unknown => ({
  id,
  type: 'agent',
  agent: { id: `perf.${ms}.${usd}`.replace(/\./g, '_') },
  inputs: { ms, usd },
});
const agentLookup: AgentLookup = (node: AgentNode) => ({
  avgLatencyMs: node.inputs['ms'] as number,
  costPerExecution: node.inputs['usd'] as number,
});
const ifElse = (id: string): unknown => ({ id, type: 'conditional', condition: 'input.big' });
const noCost = { transformMs: 0 };

/** start → check ─true→ big ─┐
 *                 └false→ small ─┴→ join */
const branchy = workflow(
  [
    agent('start', 10, 0.01),
    ifElse('check'),
    agent('big', 100, 1),
    agent('small', 10, 0.1),
    agent('join', 5, 0.05),
  ],
  [
    ['start', 'check'],
    ['check', 'big', 'true'],
    ['check', 'small', 'false'],
    ['big', 'join'],
    ['small', 'join'],
  ],
);

describe('conditional branches in worst mode', () => {
  const plan = planWorkflow(branchy, { agentLookup, defaults: noCost });

  it('takes the longer branch for time', () => {
    expect(plan.executionStrategy.criticalPath).toEqual(['start', 'check', 'big', 'join']);
    expect(plan.executionStrategy.totalEstimatedTime).toBe(115);
  });

  it('counts only the costlier of two branches that exclude each other', () => {
    expect(plan.estimatedCost).toBeCloseTo(0.01 + 1 + 0.05);
    expect(plan.tasks.map((t) => t.runProbability)).toEqual([1, 1, 1, 1, 1]);
  });

  it('ignores branch probabilities', () => {
    const again = planWorkflow(branchy, {
      agentLookup,
      defaults: noCost,
      branchProbabilities: { check: { true: 0 } },
    });
    expect(again).toEqual(plan);
  });

  it('takes the costliest branch of nested choices', () => {
    const nested = workflow(
      [ifElse('outer'), ifElse('inner'), agent('a', 1, 5), agent('b', 1, 3), agent('c', 1, 4)],
      [
        ['outer', 'inner', 'true'],
        ['inner', 'a', 'true'],
        ['inner', 'b', 'false'],
        ['outer', 'c', 'false'],
      ],
    );
    expect(planWorkflow(nested, { agentLookup }).estimatedCost).toBe(5);
  });

  it('counts once a node that both branches lead to, and every node of a fork inside a branch', () => {
    const forked = workflow(
      [
        ifElse('check'),
        agent('x', 1, 1),
        agent('y', 1, 2),
        agent('z', 1, 4),
        agent('w', 1, 6),
        agent('end', 1, 8),
      ],
      [
        ['check', 'x', 'true'],
        ['check', 'y', 'true'],
        ['x', 'z'],
        ['y', 'z'],
        ['check', 'w', 'false'],
        ['z', 'end'],
        ['w', 'end'],
      ],
    );
    expect(planWorkflow(forked, { agentLookup }).estimatedCost).toBe(1 + 2 + 4 + 8);
  });

  it('treats success and failure of a node as alternatives', () => {
    const guarded = workflow(
      [agent('call', 10, 1), agent('next', 10, 2), agent('handle', 50, 3)],
      [
        ['call', 'next'],
        ['call', 'handle', 'error'],
      ],
    );
    const plan = planWorkflow(guarded, { agentLookup });
    expect(plan.estimatedCost).toBe(4);
    expect(plan.executionStrategy.criticalPath).toEqual(['call', 'handle']);
  });
});

describe('conditional branches in expected mode', () => {
  it('weights each branch by its probability', () => {
    const plan = planWorkflow(branchy, {
      agentLookup,
      defaults: noCost,
      mode: 'expected',
      branchProbabilities: { check: { true: 0.2 } },
    });
    const run = Object.fromEntries(plan.tasks.map((t) => [t.id, t.runProbability]));
    expect(run).toEqual({ start: 1, check: 1, big: 0.2, small: 0.8, join: 1 });
    expect(plan.tasks.find((t) => t.id === 'big')?.estimatedDuration).toBeCloseTo(20);
    expect(plan.executionStrategy.totalEstimatedTime).toBeCloseTo(10 + 20 + 5);
    expect(plan.estimatedCost).toBeCloseTo(0.01 + 0.2 + 0.08 + 0.05);
    expect(plan.mode).toBe('expected');
  });

  it('splits evenly between ports without a probability', () => {
    const plan = planWorkflow(branchy, { agentLookup, defaults: noCost, mode: 'expected' });
    expect(plan.tasks.find((t) => t.id === 'small')?.runProbability).toBe(0.5);
    expect(plan.estimatedCost).toBeCloseTo(0.01 + 0.5 + 0.05 + 0.05);
  });

  it('shares what is left among the unnamed cases of a switch, default included', () => {
    const router = workflow(
      [
        {
          id: 'route',
          type: 'conditional',
          cases: [
            { port: 'eu', when: 'input.region == "EU"' },
            { port: 'us', when: 'input.region == "US"' },
          ],
        },
        agent('eu_desk', 1, 1),
        agent('us_desk', 1, 1),
        agent('fallback', 1, 1),
      ],
      [
        ['route', 'eu_desk', 'eu'],
        ['route', 'us_desk', 'us'],
        ['route', 'fallback', 'default'],
      ],
    );
    const plan = planWorkflow(router, { mode: 'expected', branchProbabilities: { route: { eu: 0.5 } } });
    expect(plan.tasks.map((t) => t.runProbability)).toEqual([1, 0.5, 0.25, 0.25]);
  });

  it('does not count a fork inside a branch twice when it joins again', () => {
    const forked = workflow(
      [ifElse('check'), agent('x', 1, 1), agent('y', 1, 1), agent('z', 1, 1)],
      [
        ['check', 'x', 'true'],
        ['check', 'y', 'true'],
        ['x', 'z'],
        ['y', 'z'],
      ],
    );
    const plan = planWorkflow(forked, { mode: 'expected', branchProbabilities: { check: { true: 0.3 } } });
    expect(plan.tasks.find((t) => t.id === 'z')?.runProbability).toBeCloseTo(0.3);
  });

  it('runs error handlers only as often as a failure is given', () => {
    const guarded = workflow(
      [agent('call', 10, 1), agent('next', 10, 2), agent('handle', 50, 3)],
      [
        ['call', 'next'],
        ['call', 'handle', 'error'],
      ],
    );
    const never = planWorkflow(guarded, { agentLookup, mode: 'expected' });
    expect(never.tasks.map((t) => t.runProbability)).toEqual([1, 1, 0]);
    expect(never.executionStrategy.criticalPath).toEqual(['call', 'next']);
    const sometimes = planWorkflow(guarded, {
      agentLookup,
      mode: 'expected',
      branchProbabilities: { call: { error: 0.1 } },
    });
    expect(sometimes.tasks.map((t) => t.runProbability)).toEqual([1, 0.9, 0.1]);
    expect(sometimes.estimatedCost).toBeCloseTo(1 + 1.8 + 0.3);
  });

  it('treats the options of an approval as its ports, a portless edge following "approved"', () => {
    const review = workflow(
      [
        { id: 'review', type: 'approval', assignee: 'role:legal', message: 'Sign?' },
        agent('send', 1, 1),
        agent('revise', 1, 1),
      ],
      [
        ['review', 'send'],
        ['review', 'revise', 'rejected'],
      ],
    );
    const plan = planWorkflow(review, {
      mode: 'expected',
      branchProbabilities: { review: { approved: 0.9 } },
    });
    expect(plan.tasks.map((t) => t.runProbability)).toEqual([1, 0.9, expect.closeTo(0.1) as number]);
  });

  it('makes the sum of task costs the estimated cost', () => {
    const plan = planWorkflow(branchy, { agentLookup, mode: 'expected' });
    const sum = plan.tasks.reduce((total, t) => total + t.estimatedCost, 0);
    expect(plan.estimatedCost).toBeCloseTo(sum);
  });
});

describe('branch probabilities that do not fit the workflow', () => {
  const plan = (branchProbabilities: BranchProbabilities) => () =>
    planWorkflow(branchy, { mode: 'expected', branchProbabilities });

  it('names a node that does not exist', () => {
    expect(plan({ chek: { true: 1 } })).toThrow('branchProbabilities.chek: the workflow has no node "chek"');
    expect(plan({ constructor: { true: 1 } })).toThrow(/no node "constructor"/);
  });

  it('names a port the node does not have, and lists its ports', () => {
    expect(plan({ check: { maybe: 0.5 } })).toThrow(
      'branchProbabilities.check.maybe: node "check" has no port "maybe" (its ports: true, false, error)',
    );
  });

  it('refuses a probability outside 0..1 and probabilities that do not add up', () => {
    expect(plan({ check: { true: 1.5 } })).toThrow(/lies in 0\.\.1, got 1\.5/);
    expect(plan({ check: { true: Number.NaN } })).toThrow(/lies in 0\.\.1/);
    expect(plan({ check: { true: 0.7, error: 0.4 } })).toThrow(
      /add up to 1\.1\d*; they must add up to at most 1/,
    );
    expect(plan({ check: { true: 0.2, false: 0.3 } })).toThrow(/they must add up to 1$/);
  });

  it('accepts decimal fractions that add up to 1', () => {
    expect(plan({ check: { true: 0.1, false: 0.7, error: 0.2 } })).not.toThrow();
  });
});
