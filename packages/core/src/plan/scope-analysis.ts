import type { Edge, LoopNode, ParallelNode, WorkflowNode } from '../model/node-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import { checkBranchProbabilities, runProbabilities } from './branch-probability.js';
import { scheduleDag, type DagSchedule } from './dag-schedule.js';
import { leafEstimate, loopIterations, loopRounds, type NodeEstimate } from './node-estimate.js';
import { resolvePlanOptions, type PlanOptions, type ResolvedPlanOptions } from './plan-options.js';
import { buildScopeDag, nodePath, type ScopeDag } from './scope-dag.js';
import { worstCaseCost } from './worst-case-cost.js';

/** One scope estimated and scheduled: the figures `planWorkflow` and `criticalPathRanks` are made of. */
export interface ScopeAnalysis {
  readonly dag: ScopeDag;
  /** The loop or parallel node that owns the scope; undefined for the top level. */
  readonly owner: string | undefined;
  /** Each node's probability of running once the scope runs: 1 in worst mode. */
  readonly probability: Float64Array;
  /** Each node's duration as scheduled: its estimate, times its probability in expected mode. */
  readonly duration: Float64Array;
  /** Each node's cost as counted: its estimate, times its probability in expected mode. */
  readonly cost: Float64Array;
  readonly schedule: DagSchedule;
  /** The scope's cost: its costliest way through (worst), or the sum of weighted costs (expected). */
  readonly totalCost: number;
}

/** Every scope of a workflow, analysed. */
export interface WorkflowAnalysis {
  readonly options: ResolvedPlanOptions;
  readonly top: ScopeAnalysis;
  /** Every scope, the top level first and each scope before the scopes nested in it. */
  readonly scopes: readonly ScopeAnalysis[];
}

/**
 * Estimates and schedules every scope of a workflow, innermost first, since a loop or parallel node is
 * estimated from its sub-graphs. Throws a `DefinitionError` on a cycle and a `USAGE` error on bad options.
 */
export function analyzeWorkflow(
  workflow: Pick<Workflow, 'nodes' | 'edges'>,
  planOptions?: PlanOptions,
): WorkflowAnalysis {
  const options = resolvePlanOptions(planOptions);
  if (Object.keys(options.branchProbabilities).length > 0) {
    checkBranchProbabilities(options.branchProbabilities, nodesById(workflow.nodes));
  }
  const postOrder: ScopeAnalysis[] = [];
  const top = analyzeScope('', undefined, '', workflow.nodes, workflow.edges, options, postOrder);
  return { options, top, scopes: postOrder.reverse() };
}

function analyzeScope(
  id: string,
  owner: string | undefined,
  prefix: string,
  nodes: readonly WorkflowNode[],
  edges: readonly Edge[],
  options: ResolvedPlanOptions,
  postOrder: ScopeAnalysis[],
): ScopeAnalysis {
  const dag = buildScopeDag(id, prefix, nodes, edges);
  const n = dag.nodes.length;
  const duration = new Float64Array(n);
  const cost = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const node = dag.nodes[i]!;
    const estimate =
      node.type === 'loop' || node.type === 'parallel'
        ? containerEstimate(node, nodePath(dag, i), options, postOrder)
        : leafEstimate(node, options);
    duration[i] = estimate.durationMs;
    cost[i] = estimate.cost;
  }

  let probability: Float64Array;
  let totalCost = 0;
  if (options.mode === 'expected') {
    probability = runProbabilities(dag, options.branchProbabilities);
    for (let i = 0; i < n; i++) {
      duration[i]! *= probability[i]!;
      cost[i]! *= probability[i]!;
      totalCost += cost[i]!;
    }
  } else {
    probability = new Float64Array(n).fill(1);
    totalCost = worstCaseCost(dag, cost);
  }

  const analysis = {
    dag,
    owner,
    probability,
    duration,
    cost,
    schedule: scheduleDag(dag, duration),
    totalCost,
  };
  postOrder.push(analysis);
  return analysis;
}

/**
 * Estimates a loop or parallel node from its sub-graphs. A parallel node waiting for all branches takes the
 * longest branch, one waiting for the first the shortest; either way every branch starts, so every branch's
 * cost counts. A loop takes `rounds × the body's critical path` and costs `iterations × the body's cost`.
 */
function containerEstimate(
  node: LoopNode | ParallelNode,
  path: string,
  options: ResolvedPlanOptions,
  postOrder: ScopeAnalysis[],
): NodeEstimate {
  if (node.type === 'loop') {
    const body = analyzeScope(
      node.id,
      node.id,
      `${path}.body.`,
      node.body.nodes,
      node.body.edges,
      options,
      postOrder,
    );
    const iterations = loopIterations(node, options.defaults);
    return {
      durationMs: loopRounds(node, iterations) * body.schedule.makespan,
      cost: iterations * body.totalCost,
    };
  }
  let longest = 0;
  let shortest = Infinity;
  let cost = 0;
  node.branches.forEach((branch, i) => {
    const prefix = `${path}.branches[${i}].`;
    const scope = analyzeScope(
      `${node.id}#${i}`,
      node.id,
      prefix,
      branch.nodes,
      branch.edges,
      options,
      postOrder,
    );
    longest = Math.max(longest, scope.schedule.makespan);
    shortest = Math.min(shortest, scope.schedule.makespan);
    cost += scope.totalCost;
  });
  return { durationMs: node.waitFor === 'first' && shortest < Infinity ? shortest : longest, cost };
}

/** Every node of a workflow by id, bodies and branches included; the first of a repeated id wins. */
function nodesById(
  nodes: readonly WorkflowNode[],
  into = new Map<string, WorkflowNode>(),
): Map<string, WorkflowNode> {
  for (const node of nodes) {
    if (!into.has(node.id)) into.set(node.id, node);
    if (node.type === 'loop') nodesById(node.body.nodes, into);
    if (node.type === 'parallel') for (const branch of node.branches) nodesById(branch.nodes, into);
  }
  return into;
}
