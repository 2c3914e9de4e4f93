import type { Problem } from '../errors/errors.js';
import {
  DEFAULT_PORT,
  ERROR_PORT,
  nodePorts,
  type GraphEdge,
  type Scope,
  type WorkflowGraph,
} from '../model/workflow-graph.js';
import { childPath } from './json-path.js';
import { error, listOf, suggestion, warning } from './problem.js';
import type { WorkflowOutline } from './workflow-outline.js';

/** Ids used more than once anywhere in the workflow: each later occurrence is a problem. */
export function duplicateIdProblems(outline: WorkflowOutline): Problem[] {
  const problems: Problem[] = [];
  for (const [id, paths] of outline.occurrences) {
    const [first, ...rest] = paths;
    for (const path of rest) {
      problems.push(
        error(
          'DUPLICATE_ID',
          childPath(path, 'id'),
          `node id "${id}" is already used by ${first ?? 'another node'}: ids must be unique across the workflow, loop bodies and branches included; rename one of them`,
        ),
      );
    }
  }
  return problems;
}

/** Edges whose ends name no node, a node of another sub-graph, or the same node; and repeated edges. */
export function edgeEndProblems(outline: WorkflowOutline): Problem[] {
  const problems: Problem[] = [];
  const labels = new Map(outline.scopes.map((s) => [s.id, s.label]));
  const allIds = [...outline.nodes.keys()];
  for (const scope of outline.scopes) {
    const seen = new Map<string, string>();
    for (const edge of scope.edges) {
      for (const end of ['from', 'to'] as const) {
        const id = edge[end];
        if (id === undefined) continue;
        const node = outline.nodes.get(id);
        const path = childPath(edge.path, end);
        if (!node) {
          const hint = suggestion(id, scope.nodeIds) || suggestion(id, allIds);
          problems.push(error('UNKNOWN_NODE', path, `unknown node "${id}"${hint}`));
        } else if (node.scope !== scope.id) {
          problems.push(
            error(
              'EDGE_CROSSES_SCOPE',
              path,
              `node "${id}" is in ${labels.get(node.scope) ?? 'another sub-graph'}, but this edge is in ${scope.label}: edges connect nodes of the same sub-graph; move the edge next to "${id}" or read its output with an expression`,
            ),
          );
        }
      }
      if (edge.from === undefined || edge.to === undefined) continue;
      if (edge.from === edge.to) {
        problems.push(
          error(
            'SELF_LOOP',
            edge.path,
            `edge from "${edge.from}" to itself: edges may not loop; to repeat a step, put it in a loop node's body`,
          ),
        );
      }
      const key = JSON.stringify([edge.from, edge.to, edge.port ?? DEFAULT_PORT]);
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, edge.path);
      else problems.push(warning('DUPLICATE_EDGE', edge.path, `same edge as ${earlier}: remove one of them`));
    }
  }
  return problems;
}

/** Edges that leave a port their source node does not have. */
function portProblems(graph: WorkflowGraph, scope: Scope): Problem[] {
  const problems: Problem[] = [];
  for (const { edge, path } of scope.edges) {
    const from = graph.nodes.get(edge.from);
    if (edge.port === undefined || !from || from.scope !== scope.id) continue;
    const ports = nodePorts(from.node);
    if (ports.includes(edge.port)) continue;
    problems.push(
      error(
        'UNKNOWN_PORT',
        childPath(path, 'port'),
        `${from.node.type} node "${edge.from}" has no port "${edge.port}"${suggestion(edge.port, ports)}; its ports are ${listOf([...new Set(ports)])}`,
      ),
    );
  }
  return problems;
}

function isSelfLoop(edge: GraphEdge): boolean {
  return edge.edge.from === edge.edge.to;
}

/** Strongly connected components with more than one node (Tarjan's algorithm, iterative), in document order. */
function cycles(scope: Scope): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const next = (id: string): string[] =>
    (scope.successors.get(id) ?? []).filter((e) => !isSelfLoop(e)).map((e) => e.edge.to);

  for (const root of scope.nodeIds) {
    if (index.has(root)) continue;
    const frames: { id: string; children: string[]; at: number }[] = [];
    const enter = (id: string): void => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      frames.push({ id, children: next(id), at: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as (typeof frames)[number];
      const child = frame.children[frame.at++];
      if (child !== undefined) {
        if (!index.has(child)) enter(child);
        else if (onStack.has(child))
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(child) ?? 0));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member !== undefined) {
          onStack.delete(member);
          component.push(member);
        }
      } while (member !== undefined && member !== frame.id);
      if (component.length > 1) components.push(component);
    }
  }
  const order = new Map(scope.nodeIds.map((id, i) => [id, i]));
  const byDocument = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  return components.map((c) => c.sort(byDocument)).sort((a, b) => byDocument(a[0] ?? '', b[0] ?? ''));
}

/** One way around a cycle, from its first node back to it: `a → b → c → a`. */
function walkAround(scope: Scope, component: readonly string[]): string[] {
  const members = new Set(component);
  const start = component[0] ?? '';
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    for (const { edge } of scope.successors.get(id) ?? []) {
      if (!members.has(edge.to) || edge.to === id) continue;
      if (edge.to === start) {
        const chain: string[] = [];
        for (let at: string | undefined = id; at !== undefined && at !== start; at = cameFrom.get(at))
          chain.unshift(at);
        return [start, ...chain, start];
      }
      if (!cameFrom.has(edge.to)) {
        cameFrom.set(edge.to, id);
        queue.push(edge.to);
      }
    }
  }
  return [...component, start];
}

function cycleProblems(graph: WorkflowGraph, scope: Scope, components: readonly string[][]): Problem[] {
  return components.map((component) => {
    const around = walkAround(scope, component);
    const last = around.at(-2) ?? '';
    const first = around[0] ?? '';
    return error(
      'CYCLE',
      graph.nodes.get(first)?.path ?? scope.path,
      `nodes ${listOf(component)} form a cycle (${around.join(' → ')}): edges may not loop; iterate with a loop node's body instead, or remove the edge from "${last}" to "${first}"`,
    );
  });
}

/**
 * Nodes that can never run, and error edges that are never taken. An edge from the "error" port of a node
 * that does not route errors is dead; a node reached only over dead edges (or from nodes that never run)
 * never runs. Nodes on cycles count as reached: CYCLE already reports them.
 */
function reachabilityProblems(graph: WorkflowGraph, scope: Scope, onCycle: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const routesErrors = (id: string): boolean => graph.nodes.get(id)?.node.onError === 'route';
  const live = (e: GraphEdge): boolean =>
    !isSelfLoop(e) && (e.port !== ERROR_PORT || routesErrors(e.edge.from));
  const incoming = (id: string): GraphEdge[] =>
    (scope.predecessors.get(id) ?? []).filter((e) => !isSelfLoop(e));

  const reached = new Set(scope.nodeIds.filter((id) => incoming(id).length === 0 || onCycle.has(id)));
  const queue = [...reached];
  for (let i = 0; i < queue.length; i++) {
    for (const e of scope.successors.get(queue[i] as string) ?? []) {
      if (live(e) && !reached.has(e.edge.to)) {
        reached.add(e.edge.to);
        queue.push(e.edge.to);
      }
    }
  }

  for (const id of scope.nodeIds) {
    const path = graph.nodes.get(id)?.path ?? scope.path;
    if (reached.has(id)) continue;
    const edges = incoming(id);
    const deadSources = [...new Set(edges.filter((e) => !live(e)).map((e) => e.edge.from))];
    const silentSources = [...new Set(edges.filter(live).map((e) => e.edge.from))];
    const message =
      silentSources.length === 0
        ? `runs only after an error of ${listOf(deadSources, 'or')}, which ${deadSources.length === 1 ? 'does' : 'do'} not route errors: set onError: "route" on ${listOf(deadSources)}, or remove the edge`
        : `runs only after ${listOf(silentSources, 'or')}, which never ${silentSources.length === 1 ? 'runs' : 'run'}: connect it to a node that runs`;
    problems.push(error('UNREACHABLE', path, message));
  }

  for (const e of scope.edges) {
    if (
      !scope.predecessors.get(e.edge.to)?.includes(e) ||
      live(e) ||
      isSelfLoop(e) ||
      !reached.has(e.edge.to)
    ) {
      continue;
    }
    const onError = graph.nodes.get(e.edge.from)?.node.onError;
    problems.push(
      warning(
        'UNUSED_ERROR_EDGE',
        e.path,
        `"${e.edge.from}" does not route errors (onError is ${onError === undefined ? 'not set' : `"${onError}"`}), so this edge is never taken: set onError: "route" on "${e.edge.from}", or remove the edge`,
      ),
    );
  }
  return problems;
}

/** Nodes that route errors but have no edge on their "error" port. */
function errorRouteProblems(graph: WorkflowGraph, scope: Scope): Problem[] {
  const problems: Problem[] = [];
  for (const id of scope.nodeIds) {
    const entry = graph.nodes.get(id);
    if (!entry || entry.scope !== scope.id || entry.node.onError !== 'route') continue;
    if ((scope.successors.get(id) ?? []).some((e) => e.port === ERROR_PORT)) continue;
    problems.push(
      error(
        'ERROR_ROUTE_MISSING',
        childPath(entry.path, 'onError'),
        `onError is "route" but no edge leaves the "error" port of "${id}": add an edge { "from": "${id}", "port": "error", "to": ... } or set onError to "fail" or "continue"`,
      ),
    );
  }
  return problems;
}

/** Ports, cycles, reachability and error routes of every scope of a schema-valid workflow. */
export function graphProblems(graph: WorkflowGraph): Problem[] {
  const problems: Problem[] = [];
  for (const scope of graph.scopes.values()) {
    const components = cycles(scope);
    problems.push(
      ...portProblems(graph, scope),
      ...cycleProblems(graph, scope, components),
      ...reachabilityProblems(graph, scope, new Set(components.flat())),
      ...errorRouteProblems(graph, scope),
    );
  }
  return problems;
}
