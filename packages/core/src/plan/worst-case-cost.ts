import { portDominators } from './port-dominators.js';
import type { ScopeDag } from './scope-dag.js';

/**
 * The cost of the costliest way through a scope. Of the nodes that run only because one port of a node was
 * taken (the port dominates them, see `portDominators`), only the costliest port's share counts; nodes
 * reachable through several ports, or from elsewhere too, count once. The cost folds up the dominator tree:
 * a subtree costs its node, plus its ordinary children, plus the costliest of its port children. Exact when
 * choices nest (branches that split and join again), an upper bound otherwise.
 */
export function worstCaseCost(dag: ScopeDag, cost: Float64Array): number {
  const n = dag.order.length;
  const tree = portDominators(dag, () => false);
  if (tree === undefined) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += cost[i]!;
    return sum;
  }
  const { idom, portsOf, firstPort, root } = tree;
  // Children come after their dominator in topological order, so a reverse pass folds each subtree before
  // its parent; a node's port nodes are folded just before the node, after every node they dominate.
  const subtree = new Float64Array(idom.length);
  for (let k = n - 1; k >= 0; k--) {
    const v = dag.order[k]!;
    let costliestPort = 0;
    const ports = portsOf[v];
    if (ports !== undefined) {
      for (let j = 0; j < ports.length; j++)
        costliestPort = Math.max(costliestPort, subtree[firstPort[v]! + j]!);
    }
    subtree[idom[v]!]! += cost[v]! + subtree[v]! + costliestPort;
  }
  return subtree[root]!;
}
