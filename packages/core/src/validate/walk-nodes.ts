import { childScopes } from '../model/workflow-graph.js';
import type { WorkflowNode } from '../model/node-schema.js';

/** A node met while walking a workflow, with where it sits. */
export interface NodeVisit {
  readonly node: WorkflowNode;
  /** JSON path, e.g. `nodes[2].body.nodes[0]`. */
  readonly path: string;
  /** The scope id, as the graph module names it. */
  readonly scope: string;
  /** True inside a loop body at any depth, where expressions may read `loop`. */
  readonly inLoopBody: boolean;
}

/**
 * Calls `visit` for every node of a schema-valid workflow in document order, parents before their bodies and
 * branches. Unlike the graph's node map, nodes that share an id are all visited.
 */
export function walkNodes(nodes: readonly WorkflowNode[], visit: (entry: NodeVisit) => void): void {
  const walk = (list: readonly WorkflowNode[], scope: string, prefix: string, inLoopBody: boolean): void => {
    list.forEach((node, i) => {
      const path = `${prefix}nodes[${i}]`;
      visit({ node, path, scope, inLoopBody });
      for (const child of childScopes(node, path)) {
        walk(child.nodes, child.id, `${child.path}.`, inLoopBody || node.type === 'loop');
      }
    });
  };
  walk(nodes, '', '', false);
}
