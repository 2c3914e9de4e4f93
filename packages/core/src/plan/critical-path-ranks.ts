import type { Workflow } from '../model/workflow-schema.js';
import type { PlanOptions } from './plan-options.js';
import { analyzeWorkflow } from './scope-analysis.js';

/**
 * Longest remaining path (ms) from each node to an exit, the scheduler's critical-path rank: ready tasks with
 * a longer remaining path are dispatched first (DESIGN §4). Every node of the workflow has a rank, those of
 * loop bodies and parallel branches included: a nested node's rank is its remaining path within its scope
 * plus what follows its container, i.e. the container's rank less the container's own duration. Later
 * iterations of a loop are not added; the body's first iteration is ranked.
 *
 * Computed once per workflow version from the same estimates as `planWorkflow` (pass measured latencies
 * through `agentLookup`); O(V + E). Throws like `planWorkflow`.
 */
export function criticalPathRanks(
  workflow: Pick<Workflow, 'nodes' | 'edges'>,
  options?: PlanOptions,
): Map<string, number> {
  const ranks = new Map<string, number>();
  // What follows each container once it finishes, by container id.
  const after = new Map<string, number>();
  for (const scope of analyzeWorkflow(workflow, options).scopes) {
    const offset = scope.owner === undefined ? 0 : (after.get(scope.owner) ?? 0);
    const { nodes } = scope.dag;
    const { remaining } = scope.schedule;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (ranks.has(node.id)) continue;
      const rank = remaining[i]! + offset;
      ranks.set(node.id, rank);
      if (node.type === 'loop' || node.type === 'parallel') after.set(node.id, rank - scope.duration[i]!);
    }
  }
  return ranks;
}
