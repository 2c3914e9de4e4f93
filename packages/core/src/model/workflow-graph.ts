import type { Workflow } from './workflow-schema.js';
import type { Edge, WorkflowNode } from './node-schema.js';

/** The port an edge leaves from when it names none. */
export const DEFAULT_PORT = 'out';
/** The port that carries a node's failure to its error handlers (`onError: "route"`). */
export const ERROR_PORT = 'error';

/** Where a node sits: its JSON path in the document and the sub-graph (scope) it belongs to. */
export interface GraphNode {
  readonly node: WorkflowNode;
  /** JSON path, e.g. `nodes[2].body.nodes[0]`. */
  readonly path: string;
  /** The scope the node belongs to: `""` for the top level, else a container scope id. */
  readonly scope: string;
}

/** An edge with its JSON path. */
export interface GraphEdge {
  readonly edge: Edge;
  readonly path: string;
  /** The edge's port, with the default filled in. */
  readonly port: string;
}

/**
 * One sub-graph: the top level, a loop body (`loopId`) or a parallel branch (`parallelId#index`). Edges only
 * connect nodes of the same scope.
 */
export interface Scope {
  readonly id: string;
  /** The loop or parallel node that owns this scope; undefined for the top level. */
  readonly owner: string | undefined;
  /** JSON path of the scope's `nodes`/`edges` parent, e.g. `` (top) or `nodes[2].body`. */
  readonly path: string;
  readonly nodeIds: readonly string[];
  readonly edges: readonly GraphEdge[];
  /** Outgoing edges by node id (only edges whose ends are both in this scope). */
  readonly successors: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Incoming edges by node id (only edges whose ends are both in this scope). */
  readonly predecessors: ReadonlyMap<string, readonly GraphEdge[]>;
}

/** A workflow seen as graphs: every node by id, and every scope with its adjacency. */
export interface WorkflowGraph {
  /** Every node by id, bodies and branches included. On duplicate ids the first one wins. */
  readonly nodes: ReadonlyMap<string, GraphNode>;
  readonly scopes: ReadonlyMap<string, Scope>;
  /** Ids that occur more than once, with the path of every occurrence. */
  readonly duplicates: ReadonlyMap<string, readonly string[]>;
}

/** The output ports of a node: the names its outgoing edges may use. */
export function nodePorts(node: WorkflowNode): readonly string[] {
  switch (node.type) {
    case 'conditional':
      return node.cases
        ? [...node.cases.map((c) => c.port), 'default', ERROR_PORT]
        : ['true', 'false', ERROR_PORT];
    case 'approval':
      return [...node.options, DEFAULT_PORT, ERROR_PORT];
    case 'agent':
    case 'parallel':
    case 'loop':
    case 'transform':
    case 'subworkflow':
    case 'wait':
    case 'emit':
      return [DEFAULT_PORT, ERROR_PORT];
  }
}

/** The sub-graphs a node owns: a loop's body, a parallel node's branches. */
export function childScopes(
  node: WorkflowNode,
  path: string,
): { id: string; path: string; nodes: WorkflowNode[]; edges: Edge[] }[] {
  if (node.type === 'loop') {
    return [{ id: node.id, path: `${path}.body`, nodes: node.body.nodes, edges: node.body.edges }];
  }
  if (node.type === 'parallel') {
    return node.branches.map((b, i) => ({
      id: `${node.id}#${i}`,
      path: `${path}.branches[${i}]`,
      nodes: b.nodes,
      edges: b.edges,
    }));
  }
  return [];
}

/** Builds the graph view of a (schema-valid) workflow. Never throws on semantic problems; validation reports them. */
export function buildWorkflowGraph(workflow: Pick<Workflow, 'nodes' | 'edges'>): WorkflowGraph {
  const nodes = new Map<string, GraphNode>();
  const occurrences = new Map<string, string[]>();
  const scopes = new Map<string, Scope>();

  const visit = (
    scopeId: string,
    owner: string | undefined,
    scopePath: string,
    list: WorkflowNode[],
    edges: Edge[],
  ): void => {
    const prefix = scopePath === '' ? '' : `${scopePath}.`;
    const ids: string[] = [];
    list.forEach((node, i) => {
      const path = `${prefix}nodes[${i}]`;
      ids.push(node.id);
      const seen = occurrences.get(node.id);
      if (seen) seen.push(path);
      else occurrences.set(node.id, [path]);
      if (!nodes.has(node.id)) nodes.set(node.id, { node, path, scope: scopeId });
    });
    const inScope = new Set(ids);
    const successors = new Map<string, GraphEdge[]>(ids.map((id) => [id, []]));
    const predecessors = new Map<string, GraphEdge[]>(ids.map((id) => [id, []]));
    const graphEdges = edges.map((edge, i): GraphEdge => {
      const graphEdge = { edge, path: `${prefix}edges[${i}]`, port: edge.port ?? DEFAULT_PORT };
      if (inScope.has(edge.from) && inScope.has(edge.to)) {
        successors.get(edge.from)?.push(graphEdge);
        predecessors.get(edge.to)?.push(graphEdge);
      }
      return graphEdge;
    });
    scopes.set(scopeId, {
      id: scopeId,
      owner,
      path: scopePath,
      nodeIds: ids,
      edges: graphEdges,
      successors,
      predecessors,
    });
    list.forEach((node, i) => {
      for (const child of childScopes(node, `${prefix}nodes[${i}]`)) {
        visit(child.id, node.id, child.path, child.nodes, child.edges);
      }
    });
  };

  visit('', undefined, '', workflow.nodes, workflow.edges);
  const duplicates = new Map([...occurrences].filter(([, paths]) => paths.length > 1));
  return { nodes, scopes, duplicates };
}

/**
 * Kahn's topological order of a scope. Returns the order, or the nodes left on cycles when there is one.
 * Ties keep document order, so the result is stable.
 */
export function topologicalOrder(scope: Scope): { order: string[]; cyclic: string[] } {
  const indegree = new Map<string, number>();
  for (const id of scope.nodeIds) indegree.set(id, scope.predecessors.get(id)?.length ?? 0);
  const ready = scope.nodeIds.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i] as string;
    order.push(id);
    for (const { edge } of scope.successors.get(id) ?? []) {
      const left = (indegree.get(edge.to) ?? 0) - 1;
      indegree.set(edge.to, left);
      if (left === 0) ready.push(edge.to);
    }
  }
  const placed = new Set(order);
  return { order, cyclic: scope.nodeIds.filter((id) => !placed.has(id)) };
}
