import { inDegree, type ScopeDag } from './scope-dag.js';

/** The schedule of one scope with unlimited parallelism: the forward and backward passes of the critical path method. */
export interface DagSchedule {
  /** When each node can start at the earliest: when the last of its predecessors finishes. */
  readonly earliestStart: Float64Array;
  /** The longest path from each node's start to the end of the scope, its own duration included. */
  readonly remaining: Float64Array;
  /** The longest chain of edges from a node without predecessors. */
  readonly level: Int32Array;
  /** When the last node finishes: the duration of the critical path. */
  readonly makespan: number;
}

/** Runs the forward and backward passes over `duration` (one per node, ≥ 0). O(V + E). */
export function scheduleDag(dag: ScopeDag, duration: Float64Array): DagSchedule {
  const { order, succStart, succ } = dag;
  const n = order.length;
  const earliestStart = new Float64Array(n);
  const level = new Int32Array(n);
  let makespan = 0;
  for (let k = 0; k < n; k++) {
    const u = order[k]!;
    const finish = earliestStart[u]! + duration[u]!;
    if (finish > makespan) makespan = finish;
    const next = level[u]! + 1;
    for (let e = succStart[u]!, end = succStart[u + 1]!; e < end; e++) {
      const v = succ[e]!;
      if (finish > earliestStart[v]!) earliestStart[v] = finish;
      if (next > level[v]!) level[v] = next;
    }
  }
  const remaining = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const u = order[k]!;
    let longest = 0;
    for (let e = succStart[u]!, end = succStart[u + 1]!; e < end; e++) {
      const r = remaining[succ[e]!]!;
      if (r > longest) longest = r;
    }
    remaining[u] = duration[u]! + longest;
  }
  return { earliestStart, remaining, level, makespan };
}

/**
 * One longest chain through the scope, as node indexes: it starts at the node without predecessors that has
 * the longest remaining path and each time follows the successor with the longest remaining path. Ties go
 * to the node earliest in the document.
 */
export function criticalChain(dag: ScopeDag, schedule: DagSchedule): number[] {
  const { remaining } = schedule;
  const n = remaining.length;
  let u = -1;
  for (let i = 0; i < n; i++) {
    if (inDegree(dag, i) === 0 && (u < 0 || remaining[i]! > remaining[u]!)) u = i;
  }
  const chain: number[] = [];
  while (u >= 0) {
    chain.push(u);
    let best = -1;
    for (let e = dag.succStart[u]!, end = dag.succStart[u + 1]!; e < end; e++) {
      const v = dag.succ[e]!;
      if (best < 0 || remaining[v]! > remaining[best]! || (remaining[v] === remaining[best] && v < best))
        best = v;
    }
    u = best;
  }
  return chain;
}

/**
 * Priorities from remaining paths: the dense rank of each value, 1 for the shortest. A node ranks at least as
 * high as each of its successors because its remaining path includes theirs.
 */
export function priorityRanks(remaining: Float64Array): Int32Array {
  const sorted = Float64Array.from(remaining).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (distinct === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i]!;
  }
  const ranks = new Int32Array(remaining.length);
  for (let i = 0; i < remaining.length; i++) {
    const value = remaining[i]!;
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo + 1;
  }
  return ranks;
}
