import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentNode } from '../model/node-schema.js';
import { WorkflowSchema, type Workflow } from '../model/workflow-schema.js';
import { criticalPathRanks } from './critical-path-ranks.js';
import type { PlanMode, PlanOptions } from './plan-options.js';
import { planWorkflow } from './plan-workflow.js';

/** A random DAG: node `i` may only lead to nodes after it; the document may list the nodes backwards. */
interface RandomDag {
  kinds: ('agent' | 'conditional')[];
  ms: number[];
  usd: number[];
  edges: { from: number; to: number; port: string | undefined }[];
  reversed: boolean;
}

const randomDag: fc.Arbitrary<RandomDag> = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc
    .record({
      kinds: fc.array(fc.constantFrom('agent' as const, 'agent' as const, 'conditional' as const), {
        minLength: n,
        maxLength: n,
      }),
      ms: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n, maxLength: n }),
      usd: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: n, maxLength: n }),
      pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.nat(5)), { maxLength: 2 * n }),
      reversed: fc.boolean(),
    })
    .map(({ kinds, ms, usd, pairs, reversed }) => ({
      kinds,
      ms,
      usd,
      reversed,
      edges: pairs
        .filter(([a, b]) => a !== b)
        .map(([a, b, p]) => {
          const from = Math.min(a, b);
          const port =
            kinds[from] === 'conditional' ? (p % 2 === 0 ? 'true' : 'false') : p === 0 ? 'error' : undefined;
          return { from, to: Math.max(a, b), port };
        }),
    })),
);

const id = (i: number) => `n${i}`;

function toWorkflow(dag: RandomDag): Workflow {
  const nodes = dag.kinds.map((kind, i) =>
    kind === 'agent'
      ? { id: id(i), type: 'agent', inputs: { ms: dag.ms[i], usd: dag.usd[i] } }
      : { id: id(i), type: 'conditional', condition: 'input.x' },
  );
  if (dag.reversed) nodes.reverse();
  const edges = dag.edges.map((e) => ({
    from: id(e.from),
    to: id(e.to),
    ...(e.port ? { port: e.port } : {}),
  }));
  return WorkflowSchema.parse({ id: 'w', name: 'w', version: '1.0.0', nodes, edges });
}

const options = (mode: PlanMode): PlanOptions => ({
  mode,
  defaults: { transformMs: 0 },
  agentLookup: (node: AgentNode) => ({
    avgLatencyMs: node.inputs['ms'] as number,
    costPerExecution: node.inputs['usd'] as number,
  }),
});

const EPSILON = 1e-9;
const settings = { numRuns: 300 };
const modes = fc.constantFrom<PlanMode>('worst', 'expected');

describe('planWorkflow on random DAGs', () => {
  it('starts every task no earlier than all its dependencies finish, and lists dependencies first', () => {
    fc.assert(
      fc.property(randomDag, modes, (dag, mode) => {
        const { tasks } = planWorkflow(toWorkflow(dag), options(mode));
        const position = new Map(tasks.map((t, i) => [t.id, i]));
        for (const task of tasks) {
          for (const dep of task.dependencies) {
            const before = tasks[position.get(dep)!]!;
            expect(position.get(dep)).toBeLessThan(position.get(task.id)!);
            expect(task.earliestStart).toBeGreaterThanOrEqual(
              before.earliestStart + before.estimatedDuration - EPSILON,
            );
          }
          expect(task.slack).toBeGreaterThanOrEqual(0);
        }
      }),
      settings,
    );
  });

  it('makes the critical path a chain of dependencies as long as the estimated time, which never exceeds the sequential time', () => {
    fc.assert(
      fc.property(randomDag, modes, (dag, mode) => {
        const plan = planWorkflow(toWorkflow(dag), options(mode));
        const byId = new Map(plan.tasks.map((t) => [t.id, t]));
        const { criticalPath, totalEstimatedTime, sequentialTime } = plan.executionStrategy;
        let length = 0;
        criticalPath.forEach((taskId, i) => {
          const task = byId.get(taskId)!;
          expect(task.onCriticalPath).toBe(true);
          if (i === 0) expect(task.dependencies).toEqual([]);
          else expect(task.dependencies).toContain(criticalPath[i - 1]);
          length += task.estimatedDuration;
        });
        expect(length).toBeCloseTo(totalEstimatedTime, 6);
        expect(totalEstimatedTime).toBeLessThanOrEqual(sequentialTime + EPSILON);
        expect(
          plan.tasks.some((t) => t.earliestStart + t.estimatedDuration > totalEstimatedTime + EPSILON),
        ).toBe(false);
      }),
      settings,
    );
  });

  it('never ranks a task below one that depends on it, and agrees with criticalPathRanks', () => {
    fc.assert(
      fc.property(randomDag, modes, (dag, mode) => {
        const workflow = toWorkflow(dag);
        const plan = planWorkflow(workflow, options(mode));
        const ranks = criticalPathRanks(workflow, options(mode));
        const byId = new Map(plan.tasks.map((t) => [t.id, t]));
        for (const task of plan.tasks) {
          for (const dep of task.dependencies)
            expect(byId.get(dep)!.priority).toBeGreaterThanOrEqual(task.priority);
          expect(ranks.get(task.id)).toBeCloseTo(
            plan.executionStrategy.totalEstimatedTime - task.latestStart,
            6,
          );
        }
      }),
      settings,
    );
  });

  it('groups every task exactly once, never with a task it depends on', () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const plan = planWorkflow(toWorkflow(dag), options('worst'));
        const groups = plan.executionStrategy.parallelizableTasks;
        expect(groups.flat().sort()).toEqual(plan.tasks.map((t) => t.id).sort());
        const byId = new Map(plan.tasks.map((t) => [t.id, t]));
        groups.forEach((group, level) => {
          const members = new Set(group);
          for (const taskId of group) {
            expect(byId.get(taskId)!.level).toBe(level);
            expect(byId.get(taskId)!.dependencies.filter((d) => members.has(d))).toEqual([]);
          }
        });
      }),
      settings,
    );
  });

  it('bounds the cost of every way through: the worst case above all, the expected case above the true mean', () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        const workflow = toWorkflow(dag);
        const worst = planWorkflow(workflow, options('worst'));
        const expected = planWorkflow(workflow, options('expected'));
        const exact = enumerateRuns(dag);
        if (exact === undefined) return;
        expect(worst.estimatedCost).toBeGreaterThanOrEqual(exact.max - EPSILON);
        expect(worst.estimatedCost).toBeLessThanOrEqual(dag.usd.reduce((a, b) => a + b, 0) + EPSILON);
        expect(expected.estimatedCost).toBeGreaterThanOrEqual(exact.mean - EPSILON);
        expect(expected.estimatedCost).toBeLessThanOrEqual(worst.estimatedCost + EPSILON);
      }),
      settings,
    );
  });
});

/**
 * Runs every combination of choices: each conditional takes `true` or `false` (half the time each), each agent
 * with an error edge succeeds or fails (never, in expected mode). A node runs when it has no incoming edge or
 * one from a node that ran and took that edge's port. Undefined when there are too many combinations.
 */
function enumerateRuns(dag: RandomDag): { max: number; mean: number } | undefined {
  const n = dag.kinds.length;
  const fails = new Set(dag.edges.filter((e) => e.port === 'error').map((e) => e.from));
  const choosers = dag.kinds.flatMap((kind, i) => (kind === 'conditional' || fails.has(i) ? [i] : []));
  if (choosers.length > 10) return undefined;
  let max = 0;
  let mean = 0;
  for (let mask = 0; mask < 1 << choosers.length; mask++) {
    const taken = dag.kinds.map((kind): string => (kind === 'conditional' ? 'true' : 'out'));
    let probability = 1;
    choosers.forEach((node, bit) => {
      const other = (mask >> bit) & 1;
      if (dag.kinds[node] === 'conditional') {
        taken[node] = other ? 'false' : 'true';
        probability *= 0.5;
      } else {
        taken[node] = other ? 'error' : 'out';
        if (other) probability = 0;
      }
    });
    const runs = new Array<boolean>(n).fill(false);
    let cost = 0;
    for (let v = 0; v < n; v++) {
      const incoming = dag.edges.filter((e) => e.to === v);
      runs[v] =
        incoming.length === 0 || incoming.some((e) => runs[e.from] && taken[e.from] === (e.port ?? 'out'));
      if (runs[v] && dag.kinds[v] === 'agent') cost += dag.usd[v]!;
    }
    max = Math.max(max, cost);
    mean += probability * cost;
  }
  return { max, mean };
}
