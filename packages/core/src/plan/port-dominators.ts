import type { ScopeDag } from './scope-dag.js';

/**
 * The dominator tree of a scope in which the ports of choosing nodes are nodes of their own. A node's ports
 * exclude each other (a conditional takes one case, an approval one decision, any node succeeds or fails), so
 * "node v runs only because port p of u was taken" is "the port node (u, p) dominates v".
 *
 * Indexes: `0..n-1` are the scope's nodes, `n` is a root above every node without predecessors, and port
 * nodes follow. Children come after their dominator in the scope's topological order.
 */
export interface PortDominators {
  readonly root: number;
  /** The immediate dominator of every index; the root's is itself. */
  readonly idom: Int32Array;
  /** The ports of each node that has port nodes, in order of first use; undefined for the others. */
  readonly portsOf: readonly (readonly string[] | undefined)[];
  /** The index of each such node's first port node. */
  readonly firstPort: Int32Array;
}

/**
 * Builds the tree in one pass in topological order: a node's immediate dominator is the nearest common
 * dominator of its predecessors (Cooper, Harvey and Kennedy, "A Simple, Fast Dominance Algorithm"), the
 * predecessors being port nodes where the edge leaves a node that has them. Port nodes are made for every node
 * that leaves by two or more ports, and for every node `choosing` names. Undefined when no node needs port
 * nodes: then no way through the scope excludes another.
 */
export function portDominators(
  dag: ScopeDag,
  choosing: (node: number) => boolean,
): PortDominators | undefined {
  const { order, succStart, succPort, predStart, pred, predPort } = dag;
  const n = order.length;

  const portsOf = new Array<readonly string[] | undefined>(n);
  const firstPort = new Int32Array(n);
  let size = n + 1;
  for (let u = 0; u < n; u++) {
    const start = succStart[u]!;
    const end = succStart[u + 1]!;
    if (start === end) continue;
    let ports: string[] | undefined;
    for (let e = start + 1; e < end; e++) {
      const port = succPort[e]!;
      if (port === succPort[start]) continue;
      ports ??= [succPort[start]!];
      if (!ports.includes(port)) ports.push(port);
    }
    if (ports === undefined && !choosing(u)) continue;
    ports ??= [succPort[start]!];
    portsOf[u] = ports;
    firstPort[u] = size;
    size += ports.length;
  }
  if (size === n + 1) return undefined;

  const root = n;
  const idom = new Int32Array(size);
  const depth = new Int32Array(size);
  idom[root] = root;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      if (depth[a]! > depth[b]!) a = idom[a]!;
      else if (depth[b]! > depth[a]!) b = idom[b]!;
      else {
        a = idom[a]!;
        b = idom[b]!;
      }
    }
    return a;
  };
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    let dominator = -1;
    for (let e = predStart[v]!, end = predStart[v + 1]!; e < end; e++) {
      const u = pred[e]!;
      const ports = portsOf[u];
      const p = ports === undefined ? u : firstPort[u]! + ports.indexOf(predPort[e]!);
      dominator = dominator < 0 ? p : intersect(dominator, p);
    }
    if (dominator < 0) dominator = root;
    const level = depth[dominator]! + 1;
    idom[v] = dominator;
    depth[v] = level;
    const ports = portsOf[v];
    if (ports === undefined) continue;
    for (let j = 0; j < ports.length; j++) {
      idom[firstPort[v]! + j] = v;
      depth[firstPort[v]! + j] = level + 1;
    }
  }
  return { root, idom, portsOf, firstPort };
}
