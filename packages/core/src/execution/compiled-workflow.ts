import { ExpressionError } from '../errors/errors.js';
import { compileExpression, type CompiledExpression, type EvalOptions } from '../expr/index.js';
import type { WorkflowNode } from '../model/node-schema.js';
import { buildWorkflowGraph, DEFAULT_PORT, ERROR_PORT, topologicalOrder } from '../model/workflow-graph.js';
import type { Workflow } from '../model/workflow-schema.js';
import { criticalPathRanks } from '../plan/critical-path-ranks.js';
import type { ErrorInfo } from './records.js';

/**
 * An expression compiled once per workflow. A source that does not compile keeps its error and throws it on
 * every evaluation, so the task that uses it fails instead of the whole engine.
 */
export class CompiledSource {
  readonly source: string;
  readonly #compiled: CompiledExpression | undefined;
  readonly #error: ExpressionError | undefined;

  constructor(source: string) {
    this.source = source;
    try {
      this.#compiled = compileExpression(source);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      this.#error = error;
    }
  }

  evaluate(scope: Readonly<Record<string, unknown>>, options: EvalOptions): unknown {
    if (this.#compiled === undefined) throw this.#error as ExpressionError;
    return this.#compiled.evaluate(scope, options);
  }
}

/** An edge inside one scope, from the node that holds it. */
export interface EdgeInfo {
  readonly to: NodeInfo;
  /** The edge's port, default filled in. */
  readonly port: string;
}

/** Everything the engine needs about one node, worked out once per workflow. */
export interface NodeInfo {
  readonly id: string;
  readonly node: WorkflowNode;
  readonly scope: ScopeInfo;
  /** Position in `scope.nodes`: the index of the node's readiness counters. */
  readonly index: number;
  /** Position in the scope's topological order. */
  readonly topo: number;
  readonly out: EdgeInfo[];
  readonly indegree: number;
  /** Ports that at least one outgoing edge leaves through. */
  readonly ports: ReadonlySet<string>;
  /** Loop and parallel nodes run their sub-graphs as scope instances. */
  readonly container: boolean;
  /** A loop's body or a parallel node's branches. */
  readonly children: ScopeInfo[];
  /** For a loop: every node id inside its body, nested bodies and branches included. */
  readonly inner: ReadonlySet<string>;
  /** Critical-path rank for the dispatch queue (ms). */
  readonly rank: number;
  readonly expressions: NodeExpressions;
}

/** The whole expressions of a node, compiled. Templates (`inputs`, `message`, `payload`) are cached by the expression module. */
export interface NodeExpressions {
  condition?: CompiledSource;
  cases?: { port: string; when: CompiledSource }[];
  set?: [string, CompiledSource][];
  assign?: [string, CompiledSource][];
  forEach?: CompiledSource;
  while?: CompiledSource;
  output?: CompiledSource;
  until?: CompiledSource;
  match?: CompiledSource;
}

/** One sub-graph: the top level, a loop body or a parallel branch. */
export interface ScopeInfo {
  readonly id: string;
  readonly nodes: NodeInfo[];
  /** Nodes without incoming edges: ready as soon as an instance of the scope starts. */
  readonly entries: NodeInfo[];
  /** Nodes in topological order. */
  readonly order: NodeInfo[];
  /** The loop or parallel node that owns the scope; undefined at the top level. */
  readonly owner: NodeInfo | undefined;
  /** For a parallel branch: its index and its `output` expression. */
  readonly branch: number;
  readonly output: CompiledSource | undefined;
}

/** A workflow prepared for execution. Shared by every run of that workflow object. */
export interface CompiledWorkflow {
  readonly workflow: Workflow;
  readonly top: ScopeInfo;
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  readonly outputs: [string, CompiledSource][];
  /** Why the workflow cannot run at all (a cycle, a duplicate id); runs of it fail on start. */
  readonly problem: ErrorInfo | undefined;
  /** Critical-path ranks by node id. */
  readonly ranks: ReadonlyMap<string, number>;
}

const cache = new WeakMap<Workflow, CompiledWorkflow>();

/** The compiled form of `workflow`, built on first use and kept as long as the workflow object lives. */
export function compileWorkflow(workflow: Workflow): CompiledWorkflow {
  let compiled = cache.get(workflow);
  if (compiled === undefined) {
    compiled = build(workflow);
    cache.set(workflow, compiled);
  }
  return compiled;
}

function rankOf(workflow: Workflow): Map<string, number> {
  try {
    return criticalPathRanks(workflow);
  } catch {
    // Ranks only order the queue; a workflow the planner cannot estimate still runs, unranked.
    return new Map();
  }
}

/** Compiled sources shared by every workflow object, so that a copy of a workflow (a store read) compiles fast. */
const sources = new Map<string, CompiledSource>();
const MAX_SOURCES = 10_000;

/** The compiled form of one expression source, from the shared cache. */
function compileSource(source: string): CompiledSource {
  let found = sources.get(source);
  if (found === undefined) {
    // A full cache starts over: simpler than an LRU, and a workflow keeps what it compiled.
    if (sources.size >= MAX_SOURCES) sources.clear();
    found = new CompiledSource(source);
    sources.set(source, found);
  }
  return found;
}

function compileMap(
  record: Readonly<Record<string, string>> | undefined,
): [string, CompiledSource][] | undefined {
  return (
    record &&
    Object.entries(record).map(([key, source]): [string, CompiledSource] => [key, compileSource(source)])
  );
}

function nodeExpressions(node: WorkflowNode): NodeExpressions {
  const expressions: NodeExpressions = {};
  const assign = compileMap(node.assign);
  if (assign) expressions.assign = assign;
  switch (node.type) {
    case 'conditional':
      if (node.condition !== undefined) expressions.condition = compileSource(node.condition);
      if (node.cases)
        expressions.cases = node.cases.map((c) => ({ port: c.port, when: compileSource(c.when) }));
      break;
    case 'transform':
      expressions.set = compileMap(node.set) ?? [];
      break;
    case 'loop':
      if (node.forEach !== undefined) expressions.forEach = compileSource(node.forEach);
      if (node.while !== undefined) expressions.while = compileSource(node.while);
      if (node.output !== undefined) expressions.output = compileSource(node.output);
      break;
    case 'wait':
      if (node.until !== undefined) expressions.until = compileSource(node.until);
      if (node.event?.match !== undefined) expressions.match = compileSource(node.event.match);
      break;
    case 'agent':
    case 'parallel':
    case 'approval':
    case 'subworkflow':
    case 'emit':
      break;
  }
  return expressions;
}

interface MutableNode extends NodeInfo {
  topo: number;
  indegree: number;
  out: EdgeInfo[];
  ports: Set<string>;
  children: ScopeInfo[];
  inner: Set<string>;
}

function build(workflow: Workflow): CompiledWorkflow {
  const graph = buildWorkflowGraph(workflow);
  const ranks = rankOf(workflow);
  const nodes = new Map<string, MutableNode>();
  const scopes = new Map<string, ScopeInfo>();
  let problem: ErrorInfo | undefined;
  if (graph.duplicates.size > 0) {
    const ids = [...graph.duplicates.keys()].join(', ');
    problem = definitionProblem(`node ids must be unique, but ${ids} occur more than once`);
  }
  // Scopes come parents first, so a scope's owner node exists when the scope is built.
  for (const scope of graph.scopes.values()) {
    const owner = scope.owner === undefined ? undefined : nodes.get(scope.owner);
    const hash = scope.id.lastIndexOf('#');
    const branchIndex = owner?.node.type === 'parallel' && hash >= 0 ? Number(scope.id.slice(hash + 1)) : -1;
    const branchOutput =
      owner?.node.type === 'parallel' ? owner.node.branches[branchIndex]?.output : undefined;
    const info: ScopeInfo = {
      id: scope.id,
      nodes: [],
      entries: [],
      order: [],
      owner,
      branch: branchIndex,
      output: branchOutput === undefined ? undefined : compileSource(branchOutput),
    };
    scopes.set(scope.id, info);
    owner?.children.push(info);
    for (const id of scope.nodeIds) {
      const graphNode = graph.nodes.get(id);
      if (!graphNode || graphNode.scope !== scope.id || nodes.has(id)) continue;
      const node = graphNode.node;
      const mutable: MutableNode = {
        id,
        node,
        scope: info,
        index: info.nodes.length,
        topo: 0,
        out: [],
        indegree: 0,
        ports: new Set(),
        container: node.type === 'loop' || node.type === 'parallel',
        children: [],
        inner: new Set(),
        rank: ranks.get(id) ?? 0,
        expressions: nodeExpressions(node),
      };
      nodes.set(id, mutable);
      info.nodes.push(mutable);
    }
    for (const { edge, port } of scope.edges) {
      const from = nodes.get(edge.from);
      const to = nodes.get(edge.to);
      if (!from || !to || from.scope !== info || to.scope !== info) continue;
      from.out.push({ to, port });
      from.ports.add(port);
      to.indegree++;
    }
    const { order, cyclic } = topologicalOrder(scope);
    if (cyclic.length > 0) {
      problem ??= definitionProblem(
        `the edges between ${cyclic.join(', ')} form a cycle; loops must use a loop node`,
      );
    }
    for (const id of order) {
      const node = nodes.get(id);
      if (node?.scope !== info) continue;
      node.topo = info.order.length;
      info.order.push(node);
    }
    for (const node of info.nodes) if (node.indegree === 0) info.entries.push(node);
  }
  for (const node of nodes.values()) {
    if (node.node.type === 'loop') collectInner(node, node.inner);
  }
  const top = scopes.get('') as ScopeInfo;
  const outputs = Object.entries(workflow.outputs).map(([name, output]): [string, CompiledSource] => [
    name,
    compileSource(output.value),
  ]);
  return { workflow, top, nodes, outputs, problem, ranks };
}

function collectInner(node: NodeInfo, into: Set<string>): void {
  for (const scope of node.children) {
    for (const child of scope.nodes) {
      into.add(child.id);
      collectInner(child, into);
    }
  }
}

function definitionProblem(message: string): ErrorInfo {
  return { code: 'DEFINITION_INVALID', message, retryable: false };
}

/** Whether an edge leaving through `edge.port` is taken by a source that settled through `port`. */
export function edgeTaken(source: NodeInfo, edgePort: string, port: string): boolean {
  // An approval's edge without a port follows the "approved" decision.
  return (
    edgePort === port || (edgePort === DEFAULT_PORT && port === 'approved' && source.node.type === 'approval')
  );
}

/** Whether a node has somewhere to send its failure. */
export function hasErrorRoute(info: NodeInfo): boolean {
  return info.ports.has(ERROR_PORT);
}
