import { childPath } from './json-path.js';

/**
 * The node ids and edges of a workflow document read without trusting its shape, so that duplicate ids and
 * dangling edges are reported even when the schema check fails elsewhere. Scope ids match the graph module:
 * `""` for the top level, the loop id for a body, `parallelId#i` for a branch.
 */
export interface WorkflowOutline {
  readonly scopes: readonly OutlineScope[];
  /** Every node with a string id by id; on duplicates the first one wins. */
  readonly nodes: ReadonlyMap<string, OutlineNode>;
  /** Every path at which each id occurs. */
  readonly occurrences: ReadonlyMap<string, readonly string[]>;
}

/** A node as far as its id, its place and its type are readable. */
export interface OutlineNode {
  readonly id: string;
  readonly path: string;
  readonly scope: string;
  readonly type: unknown;
}

/** An edge as far as its fields are readable: absent or non-string fields are undefined. */
export interface OutlineEdge {
  readonly path: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly port: string | undefined;
}

/** One sub-graph with a readable `nodes` list. */
export interface OutlineScope {
  readonly id: string;
  /** The loop or parallel node owning this scope; undefined at the top level. */
  readonly owner: string | undefined;
  /** `the top level`, `the body of loop "each"`, `branch 1 of parallel "fanout"`. */
  readonly label: string;
  readonly path: string;
  readonly nodeIds: readonly string[];
  readonly edges: readonly OutlineEdge[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads the outline of any value; whatever is not shaped like a workflow is skipped. */
export function outlineWorkflow(document: unknown): WorkflowOutline {
  const scopes: OutlineScope[] = [];
  const nodes = new Map<string, OutlineNode>();
  const occurrences = new Map<string, string[]>();
  // A JSON document cannot refer to itself, but an object built in code can; each container is read once.
  const visited = new WeakSet<object>();

  const visit = (
    id: string,
    owner: string | undefined,
    label: string,
    path: string,
    graph: unknown,
  ): void => {
    const container = record(graph);
    const list = container?.['nodes'];
    if (!container || !Array.isArray(list) || visited.has(container)) return;
    visited.add(container);
    const nodeIds: string[] = [];
    const children: [string, string | undefined, string, string, unknown][] = [];
    list.forEach((item: unknown, i) => {
      const node = record(item);
      const nodePath = childPath(childPath(path, 'nodes'), i);
      const nodeId = text(node?.['id']);
      if (!node || nodeId === undefined) return;
      nodeIds.push(nodeId);
      const seen = occurrences.get(nodeId);
      if (seen) seen.push(nodePath);
      else occurrences.set(nodeId, [nodePath]);
      if (!nodes.has(nodeId))
        nodes.set(nodeId, { id: nodeId, path: nodePath, scope: id, type: node['type'] });
      if (node['type'] === 'loop') {
        children.push([
          nodeId,
          nodeId,
          `the body of loop "${nodeId}"`,
          childPath(nodePath, 'body'),
          node['body'],
        ]);
      }
      const branches = node['branches'];
      if (node['type'] === 'parallel' && Array.isArray(branches)) {
        branches.forEach((branch: unknown, b) => {
          const label = `branch ${b} of parallel "${nodeId}"`;
          children.push([
            `${nodeId}#${b}`,
            nodeId,
            label,
            childPath(childPath(nodePath, 'branches'), b),
            branch,
          ]);
        });
      }
    });
    const rawEdges = container['edges'];
    const edges = (Array.isArray(rawEdges) ? rawEdges : []).map((item: unknown, i): OutlineEdge => {
      const edge = record(item);
      return {
        path: childPath(childPath(path, 'edges'), i),
        from: text(edge?.['from']),
        to: text(edge?.['to']),
        port: text(edge?.['port']),
      };
    });
    scopes.push({ id, owner, label, path, nodeIds, edges });
    for (const child of children) visit(...child);
  };

  visit('', undefined, 'the top level', '', document);
  return { scopes, nodes, occurrences };
}
