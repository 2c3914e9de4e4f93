import { describe, expect, it } from 'vitest';
import { isBatonError } from '../errors/baton-error.js';
import { DefinitionError } from '../errors/errors.js';
import type { AgentNode } from '../model/node-schema.js';
import { WorkflowSchema, type Workflow } from '../model/workflow-schema.js';
import { PLAN_DEFAULTS, type AgentLookup } from './plan-options.js';
import { planWorkflow } from './plan-workflow.js';

const MINUTE = 60_000;

function workflow(nodes: unknown[], edges: [string, string, string?][] = []): Workflow {
  return WorkflowSchema.parse({
    id: 'w',
    name: 'w',
    version: '1.0.0',
    nodes,
    edges: edges.map(([from, to, port]) => (port === undefined ? { from, to } : { from, to, port })),
  });
}

const agent = (id: string): unknown => ({ id, type: 'agent', agent: { id: `acme.${id}` } });

/** Looks agents up by the node id after `acme.`: latency and cost from the table. */
function lookup(table: Record<string, [number, number]>): AgentLookup {
  return (node: AgentNode) => {
    const entry = node.agent ? table[node.agent.id.replace('acme.', '')] : undefined;
    return entry && { avgLatencyMs: entry[0], costPerExecution: entry[1] };
  };
}

describe('planWorkflow on the spec’s RFP response', () => {
  const rfp = workflow(
    ['analyze', 'extract', 'research', 'draft_technical', 'draft_pricing', 'legal', 'format'].map(agent),
    [
      ['analyze', 'extract'],
      ['analyze', 'research'],
      ['analyze', 'draft_pricing'],
      ['extract', 'draft_technical'],
      ['draft_technical', 'legal'],
      ['research', 'legal'],
      ['draft_pricing', 'legal'],
      ['legal', 'format'],
    ],
  );
  const agentLookup = lookup({
    analyze: [5 * MINUTE, 0.1],
    extract: [45 * MINUTE, 0.5],
    research: [60 * MINUTE, 0.75],
    draft_technical: [90 * MINUTE, 1.5],
    draft_pricing: [45 * MINUTE, 0.5],
    legal: [10 * MINUTE, 0.25],
    format: [5 * MINUTE, 0.05],
  });
  const plan = planWorkflow(rfp, { agentLookup });
  const task = (id: string) => plan.tasks.find((t) => t.id === id);

  it('finds the critical path through extraction and the technical draft', () => {
    expect(plan.executionStrategy.criticalPath).toEqual([
      'analyze',
      'extract',
      'draft_technical',
      'legal',
      'format',
    ]);
    expect(plan.executionStrategy.totalEstimatedTime).toBe(155 * MINUTE);
  });

  it('compares the run with doing one step at a time', () => {
    expect(plan.executionStrategy.sequentialTime).toBe(260 * MINUTE);
    expect(plan.executionStrategy.speedup).toBeCloseTo(260 / 155);
  });

  it('lists the tasks in topological order with their dependencies and agents', () => {
    expect(plan.tasks.map((t) => t.id)).toEqual([
      'analyze',
      'extract',
      'research',
      'draft_pricing',
      'draft_technical',
      'legal',
      'format',
    ]);
    expect(task('legal')?.dependencies).toEqual(['draft_technical', 'research', 'draft_pricing']);
    expect(task('legal')?.agentId).toBe('acme.legal');
    expect(task('analyze')?.dependencies).toEqual([]);
  });

  it('groups the three drafts-to-be that only need the analysis', () => {
    expect(plan.executionStrategy.parallelizableTasks).toEqual([
      ['analyze'],
      ['extract', 'research', 'draft_pricing'],
      ['draft_technical'],
      ['legal'],
      ['format'],
    ]);
  });

  it('gives research and pricing their slack and the critical tasks none', () => {
    expect(task('research')).toMatchObject({
      earliestStart: 5 * MINUTE,
      latestStart: 80 * MINUTE,
      slack: 75 * MINUTE,
      onCriticalPath: false,
    });
    expect(task('draft_pricing')?.slack).toBe(90 * MINUTE);
    expect(plan.tasks.filter((t) => t.onCriticalPath).map((t) => t.id)).toEqual(
      plan.executionStrategy.criticalPath,
    );
  });

  it('ranks tasks by their longest remaining path, the first critical task highest', () => {
    const priorities = Object.fromEntries(plan.tasks.map((t) => [t.id, t.priority]));
    expect(priorities).toEqual({
      analyze: 7,
      extract: 6,
      draft_technical: 5,
      research: 4,
      draft_pricing: 3,
      legal: 2,
      format: 1,
    });
  });

  it('adds up the cost of every agent', () => {
    expect(plan.estimatedCost).toBeCloseTo(3.65);
    expect(plan.mode).toBe('worst');
    expect(task('extract')?.estimatedCost).toBe(0.5);
  });
});

describe('planWorkflow on small graphs', () => {
  it('runs both sides of a diamond at once and waits for the longer', () => {
    const diamond = workflow(['a', 'b', 'c', 'd'].map(agent), [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ]);
    const plan = planWorkflow(diamond, {
      agentLookup: lookup({ a: [10, 0], b: [20, 0], c: [30, 0], d: [5, 0] }),
    });
    expect(plan.executionStrategy.criticalPath).toEqual(['a', 'c', 'd']);
    expect(plan.executionStrategy.totalEstimatedTime).toBe(45);
    expect(plan.tasks.find((t) => t.id === 'd')?.earliestStart).toBe(40);
    expect(plan.tasks.find((t) => t.id === 'b')?.slack).toBe(10);
  });

  it('breaks a tie between equal paths by document order and marks both critical', () => {
    const plan = planWorkflow(
      workflow(['a', 'b', 'c', 'd'].map(agent), [
        ['a', 'c'],
        ['a', 'b'],
        ['b', 'd'],
        ['c', 'd'],
      ]),
    );
    expect(plan.executionStrategy.criticalPath).toEqual(['a', 'b', 'd']);
    expect(plan.tasks.every((t) => t.onCriticalPath)).toBe(true);
    expect(plan.executionStrategy.totalEstimatedTime).toBe(3 * PLAN_DEFAULTS.agentMs);
  });

  it('plans independent nodes as one group and the longest as the critical path', () => {
    const plan = planWorkflow(workflow(['x', 'y'].map(agent)), {
      agentLookup: lookup({ x: [1, 0], y: [2, 0] }),
    });
    expect(plan.executionStrategy.parallelizableTasks).toEqual([['x', 'y']]);
    expect(plan.executionStrategy.criticalPath).toEqual(['y']);
    expect(plan.executionStrategy.speedup).toBe(1.5);
  });

  it('follows edges, not document order, and counts a repeated edge once', () => {
    const plan = planWorkflow(
      workflow(['c', 'b', 'a'].map(agent), [
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'b', 'error'],
      ]),
    );
    expect(plan.tasks.map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(plan.tasks[1]?.dependencies).toEqual(['a']);
    expect(plan.tasks.map((t) => t.level)).toEqual([0, 1, 2]);
  });

  it('ignores edges to nodes that do not exist, which validation reports', () => {
    const plan = planWorkflow(workflow([agent('a')], [['a', 'ghost']]));
    expect(plan.tasks.map((t) => t.id)).toEqual(['a']);
  });

  it('reports a speedup of 1 when nothing takes time', () => {
    const plan = planWorkflow(workflow([{ id: 't', type: 'transform', set: { x: '1' } }]), {
      defaults: { transformMs: 0 },
    });
    expect(plan.executionStrategy).toMatchObject({ totalEstimatedTime: 0, sequentialTime: 0, speedup: 1 });
  });
});

describe('planWorkflow defaults', () => {
  it('estimates each node type where nothing better is known', () => {
    const plan = planWorkflow(
      workflow([
        { id: 'pick', type: 'agent', select: { skills: ['summarize'] } },
        { id: 'calc', type: 'transform', set: { x: '1' } },
        { id: 'tell', type: 'emit', event: 'done' },
        { id: 'ask', type: 'approval', assignee: 'role:legal', message: 'OK?' },
        { id: 'quick', type: 'approval', assignee: 'role:legal', message: 'OK?', deadlineMs: 5000 },
        { id: 'pause', type: 'wait', durationMs: 250 },
        { id: 'hear', type: 'wait', event: { name: 'signed', timeoutMs: 2000 } },
        { id: 'later', type: 'wait', until: '"2030-01-01T00:00:00Z"' },
        { id: 'child', type: 'subworkflow', workflow: { id: 'other' } },
      ]),
    );
    const durations = Object.fromEntries(plan.tasks.map((t) => [t.id, t.estimatedDuration]));
    expect(durations).toEqual({
      pick: PLAN_DEFAULTS.agentMs,
      calc: PLAN_DEFAULTS.transformMs,
      tell: PLAN_DEFAULTS.transformMs,
      ask: PLAN_DEFAULTS.approvalMs,
      quick: 5000,
      pause: 250,
      hear: 2000,
      later: PLAN_DEFAULTS.waitMs,
      child: PLAN_DEFAULTS.agentMs,
    });
    expect(plan.tasks[0]?.agentId).toBeUndefined();
  });

  it('takes overrides of the defaults and falls back when the lookup knows no agent', () => {
    const plan = planWorkflow(workflow([agent('known'), agent('unknown')]), {
      agentLookup: lookup({ known: [7, 0.5] }),
      defaults: { agentMs: 300, agentCost: 0.2 },
    });
    expect(plan.tasks.map((t) => [t.estimatedDuration, t.estimatedCost])).toEqual([
      [7, 0.5],
      [300, 0.2],
    ]);
  });

  it('refuses a default that is not a number of zero or more', () => {
    const bad = (): unknown => planWorkflow(workflow([agent('a')]), { defaults: { agentMs: -1 } });
    expect(bad).toThrow(/defaults\.agentMs must be a finite number ≥ 0, got -1/);
    expect(() => planWorkflow(workflow([agent('a')]), { defaults: { loopIterations: 1.5 } })).toThrow(
      /whole number/,
    );
  });

  it('refuses what a lookup returns when it is not a latency and a cost', () => {
    const plan = (): unknown =>
      planWorkflow(workflow([agent('a')]), {
        agentLookup: () => ({ avgLatencyMs: Number.NaN, costPerExecution: 0 }),
      });
    expect(plan).toThrow(/agentLookup for node "a"/);
  });
});

describe('planWorkflow on a cycle', () => {
  it('throws a definition error naming the cycle instead of looping', () => {
    const cyclic = workflow(['a', 'b', 'c', 'd'].map(agent), [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'b'],
      ['c', 'd'],
    ]);
    let error: unknown;
    try {
      planWorkflow(cyclic);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    expect(isBatonError(error, 'DEFINITION_INVALID')).toBe(true);
    const problems = (error as DefinitionError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'CYCLE', path: 'nodes[1]', severity: 'error' });
    expect(problems[0]?.message).toMatch(/^"b" → "c" → "b" is a cycle/);
  });

  it('throws on an edge from a node to itself', () => {
    expect(() => planWorkflow(workflow([agent('a')], [['a', 'a']]))).toThrow(/"a" → "a" is a cycle/);
  });
});
