import { DefinitionError, type Problem } from '../errors/errors.js';
import type { Edge, WorkflowNode } from '../model/node-schema.js';
import { DEFAULT_PORT } from '../model/workflow-graph.js';

/**
 * One scope of a workflow (the top level, a loop body or a parallel branch) as a compact DAG: nodes by index
 * in document order, adjacency in CSR arrays, and a topological order. Every pass of the planner over it is
 * O(V + E) over typed arrays, with no per-node allocation.
 */
export interface ScopeDag {
  /** The scope id of the graph view: `""`, a loop id, or `parallelId#index`. */
  readonly id: string;
  /** What the JSON paths of the scope's nodes start with: `""` or e.g. `nodes[2].body.`. */
  readonly prefix: string;
  /** The scope's nodes in document order; a repeated id keeps its first node (validation reports the rest). */
  readonly nodes: readonly WorkflowNode[];
  /** Each node's index in the document's `nodes` array, for its JSON path. */
  readonly docIndex: Int32Array;
  readonly indexOf: ReadonlyMap<string, number>;
  /** The edges out of node `i` are `succ[succStart[i]]` up to `succ[succStart[i + 1] - 1]`, in edge order. */
  readonly succStart: Int32Array;
  readonly succ: Int32Array;
  /** The port of each edge in `succ`, the default filled in. */
  readonly succPort: readonly string[];
  /** The edges into node `i`, laid out like `succ`. */
  readonly predStart: Int32Array;
  readonly pred: Int32Array;
  readonly predPort: readonly string[];
  /** Node indexes in topological order; ties keep document order. */
  readonly order: Int32Array;
}

/**
 * Builds the DAG of one scope. Edges whose ends are not both in the scope are left out (validation reports
 * them). An edge without a port leaves by `out`, which on an approval node is its `approved` option.
 * Throws a `DefinitionError` with a `CYCLE` problem when the scope has a cycle.
 */
export function buildScopeDag(
  id: string,
  prefix: string,
  nodes: readonly WorkflowNode[],
  edges: readonly Edge[],
): ScopeDag {
  const indexOf = new Map<string, number>();
  const list: WorkflowNode[] = [];
  const docIndex = new Int32Array(nodes.length);
  nodes.forEach((node, i) => {
    if (indexOf.has(node.id)) return;
    indexOf.set(node.id, list.length);
    docIndex[list.length] = i;
    list.push(node);
  });
  const n = list.length;

  const from = new Int32Array(edges.length);
  const to = new Int32Array(edges.length);
  const ports: string[] = [];
  for (const edge of edges) {
    const f = indexOf.get(edge.from);
    const t = indexOf.get(edge.to);
    if (f === undefined || t === undefined) continue;
    from[ports.length] = f;
    to[ports.length] = t;
    ports.push(portOf(list[f]!, edge.port));
  }
  const m = ports.length;

  const succStart = new Int32Array(n + 1);
  const predStart = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    succStart[from[e]! + 1]!++;
    predStart[to[e]! + 1]!++;
  }
  for (let i = 0; i < n; i++) {
    succStart[i + 1]! += succStart[i]!;
    predStart[i + 1]! += predStart[i]!;
  }
  const succ = new Int32Array(m);
  const pred = new Int32Array(m);
  const succPort = new Array<string>(m);
  const predPort = new Array<string>(m);
  const succFill = succStart.slice(0, n);
  const predFill = predStart.slice(0, n);
  for (let e = 0; e < m; e++) {
    const f = from[e]!;
    const t = to[e]!;
    const port = ports[e]!;
    const s = succFill[f]!++;
    succ[s] = t;
    succPort[s] = port;
    const p = predFill[t]!++;
    pred[p] = f;
    predPort[p] = port;
  }

  const dag = {
    id,
    prefix,
    nodes: list,
    docIndex,
    indexOf,
    succStart,
    succ,
    succPort,
    predStart,
    pred,
    predPort,
    order: new Int32Array(n),
  };
  topologicalSort(dag);
  return dag;
}

/** The JSON path of node `i` of a scope, e.g. `nodes[2].body.nodes[0]`. */
export function nodePath(dag: ScopeDag, i: number): string {
  return `${dag.prefix}nodes[${dag.docIndex[i] ?? i}]`;
}

/** Number of edges into node `i`. */
export function inDegree(dag: ScopeDag, i: number): number {
  return dag.predStart[i + 1]! - dag.predStart[i]!;
}

function portOf(node: WorkflowNode, port: string | undefined): string {
  const name = port ?? DEFAULT_PORT;
  // An approval's portless edge follows its "approved" decision: one alternative, whichever way it is written.
  return node.type === 'approval' && name === DEFAULT_PORT ? 'approved' : name;
}

/** Kahn's algorithm with a FIFO queue seeded in document order, writing into `dag.order`. */
function topologicalSort(dag: ScopeDag): void {
  const { order, succStart, succ } = dag;
  const n = dag.nodes.length;
  const waiting = new Int32Array(n);
  for (let i = 0; i < n; i++) waiting[i] = inDegree(dag, i);
  let tail = 0;
  for (let i = 0; i < n; i++) if (waiting[i] === 0) order[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const u = order[head]!;
    for (let k = succStart[u]!, end = succStart[u + 1]!; k < end; k++) {
      const v = succ[k]!;
      if (--waiting[v]! === 0) order[tail++] = v;
    }
  }
  if (tail < n) throw cycleError(dag, waiting);
}

/**
 * Names one cycle among the nodes Kahn's algorithm could not place. Each of them still waits on another
 * unplaced node, so walking back along those edges must come round to a node already seen.
 */
function cycleError(dag: ScopeDag, waiting: Int32Array): DefinitionError {
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  let v = waiting.findIndex((w) => w > 0);
  while (!seenAt.has(v)) {
    seenAt.set(v, walk.length);
    walk.push(v);
    for (let k = dag.predStart[v]!, end = dag.predStart[v + 1]!; k < end; k++) {
      const u = dag.pred[k]!;
      if (waiting[u]! > 0) {
        v = u;
        break;
      }
    }
  }
  const found = walk.slice(seenAt.get(v)).reverse();
  // Start the cycle at its node earliest in the document, so the same cycle always reads the same.
  const first = found.reduce((best, node, i) => (node < found[best]! ? i : best), 0);
  const cycle = [...found.slice(first), ...found.slice(0, first)];
  const names = [...cycle, cycle[0]!].map((i) => `"${dag.nodes[i]!.id}"`).join(' → ');
  const path = nodePath(dag, cycle[0]!);
  const problem: Problem = {
    code: 'CYCLE',
    path,
    message: `${names} is a cycle; a workflow (and each loop body and branch) must be acyclic: remove one of these edges, or use a loop node to repeat work`,
    severity: 'error',
  };
  return new DefinitionError(`${path}: ${problem.message}`, [problem]);
}
