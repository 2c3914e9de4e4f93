import { BatonError } from '../errors/baton-error.js';
import type { WorkflowNode } from '../model/node-schema.js';
import { DEFAULT_PORT, ERROR_PORT } from '../model/workflow-graph.js';
import type { BranchProbabilities } from './plan-options.js';
import { portDominators } from './port-dominators.js';
import { inDegree, type ScopeDag } from './scope-dag.js';

/** How far probabilities that must add up to 1 may miss it, for decimal fractions such as 0.1 + 0.2 + 0.7. */
const TOLERANCE = 1e-9;

/**
 * The ports a node chooses among when it succeeds, one of them each time: a conditional's cases (and
 * `default`) or `true`/`false`, an approval's options; every other node has only `out`.
 */
export function decisionPorts(node: WorkflowNode): readonly string[] {
  switch (node.type) {
    case 'conditional':
      return node.cases ? [...node.cases.map((c) => c.port), 'default'] : ['true', 'false'];
    case 'approval':
      return node.options;
    case 'agent':
    case 'parallel':
    case 'loop':
    case 'transform':
    case 'subworkflow':
    case 'wait':
    case 'emit':
      return [DEFAULT_PORT];
  }
}

/**
 * The probability of each port of a node, given that it runs. The `error` port has the probability given
 * for it, else 0; decision ports without a given probability share what is left equally.
 */
export function portProbabilities(
  node: WorkflowNode,
  given: Readonly<Record<string, number>> | undefined,
): Map<string, number> {
  const ports = decisionPorts(node);
  const error = own(given, ERROR_PORT) ?? 0;
  let specified = 0;
  let unspecified = 0;
  for (const port of ports) {
    const p = own(given, port);
    if (p === undefined) unspecified++;
    else specified += p;
  }
  const share = unspecified === 0 ? 0 : Math.max(0, 1 - error - specified) / unspecified;
  const result = new Map<string, number>([[ERROR_PORT, error]]);
  for (const port of ports) result.set(port, own(given, port) ?? share);
  return result;
}

/**
 * Checks branch probabilities against the workflow: every node exists, every port is one of the node's, every
 * value lies in 0..1, and a node's values add up to at most 1 (exactly 1 when every decision port is given).
 * Throws a `USAGE` error naming the first bad entry.
 */
export function checkBranchProbabilities(
  probabilities: BranchProbabilities,
  nodeById: ReadonlyMap<string, WorkflowNode>,
): void {
  for (const [nodeId, ports] of Object.entries(probabilities)) {
    const node = nodeById.get(nodeId);
    if (!node) throw usage(`branchProbabilities.${nodeId}: the workflow has no node "${nodeId}"`);
    const known = new Set([...decisionPorts(node), ERROR_PORT]);
    let sum = 0;
    for (const [port, p] of Object.entries(ports)) {
      if (!known.has(port)) {
        throw usage(
          `branchProbabilities.${nodeId}.${port}: node "${nodeId}" has no port "${port}" (its ports: ${[...known].join(', ')})`,
        );
      }
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
        throw usage(`branchProbabilities.${nodeId}.${port}: a probability lies in 0..1, got ${String(p)}`);
      }
      sum += p;
    }
    const allGiven = decisionPorts(node).every((port) => own(ports, port) !== undefined);
    if (sum > 1 + TOLERANCE || (allGiven && sum < 1 - TOLERANCE)) {
      throw usage(
        `branchProbabilities.${nodeId}: the probabilities add up to ${sum}; they must add up to ${allGiven ? '' : 'at most '}1`,
      );
    }
  }
}

/**
 * The probability that each node of a scope runs, given that the scope runs. A node without predecessors
 * runs; any other runs when at least one edge into it is taken, so its probability is the sum over its
 * incoming edges of P(predecessor) × P(port), capped by the probability of its dominator (a node never runs
 * more often than the port or node it depends on through every path; see `portDominators`). Exact where
 * paths that meet come from one choice or one fork (branches that split and join again); an upper bound
 * where they come from independent choices.
 */
export function runProbabilities(dag: ScopeDag, probabilities: BranchProbabilities): Float64Array {
  const { order, succStart, succ, succPort, nodes } = dag;
  const n = order.length;
  // Probability tables only for the nodes that choose: the others take every port but `error`.
  const ports = new Array<Map<string, number> | undefined>(n);
  const anyGiven = Object.keys(probabilities).length > 0;
  for (let u = 0; u < n; u++) {
    const node = nodes[u]!;
    const given = anyGiven ? own(probabilities, node.id) : undefined;
    if (given !== undefined || node.type === 'conditional' || node.type === 'approval') {
      ports[u] = portProbabilities(node, given);
    }
  }
  const tree = portDominators(dag, (u) => ports[u] !== undefined);

  // The probability of every index of the dominator tree: nodes, the root and port nodes. Without a tree every
  // edge is taken for sure or never, and the capped sum is exact.
  const run = new Float64Array(tree === undefined ? n : tree.idom.length);
  if (tree !== undefined) run[tree.root] = 1;
  const reached = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const u = order[k]!;
    const cap = tree === undefined ? 1 : run[tree.idom[u]!]!;
    const p = inDegree(dag, u) === 0 ? 1 : Math.min(cap, reached[u]!);
    run[u] = p;
    const chosen = ports[u];
    const used = tree?.portsOf[u];
    if (tree !== undefined && used !== undefined) {
      const first = tree.firstPort[u]!;
      for (let j = 0; j < used.length; j++) run[first + j] = p * portProbability(chosen, used[j]!);
    }
    if (p === 0) continue;
    for (let e = succStart[u]!, end = succStart[u + 1]!; e < end; e++) {
      reached[succ[e]!]! += p * portProbability(chosen, succPort[e]!);
    }
  }
  return run.subarray(0, n);
}

/** A port's probability: from the node's table where it has one; else any port but `error` is taken. */
function portProbability(table: ReadonlyMap<string, number> | undefined, port: string): number {
  if (table === undefined) return port === ERROR_PORT ? 0 : 1;
  return table.get(port) ?? 0;
}

/** An own property of a plain record: never one inherited from `Object.prototype`, such as `constructor`. */
function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function usage(message: string): BatonError {
  return new BatonError('USAGE', message);
}
