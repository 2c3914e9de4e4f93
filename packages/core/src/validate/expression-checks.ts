import { ExpressionError, type Problem } from '../errors/errors.js';
import { compileExpression, expressionReferences, templateExpressions } from '../expr/index.js';
import type { JsonSchema } from '../model/common-schema.js';
import { topologicalOrder, type WorkflowGraph } from '../model/workflow-graph.js';
import type { Workflow } from '../model/workflow-schema.js';
import { type ExpressionSite, expressionSites } from './expression-sites.js';
import { childPath } from './json-path.js';
import { error, listOf, suggestion, warning } from './problem.js';
import { walkNodes } from './walk-nodes.js';

/** Names every expression may read. */
export const EXPRESSION_ROOTS: readonly string[] = ['input', 'vars', 'nodes', 'run', 'secrets'];

/** A member path one expression reads, e.g. `nodes.extract.output.items`, with the site it is in. */
export interface ExpressionReference {
  readonly site: ExpressionSite;
  readonly path: readonly string[];
}

/** What checking the expressions of a workflow found. */
export interface ExpressionFindings {
  readonly problems: Problem[];
  /** Every reference of every expression that parsed; the type checks follow them into schemas. */
  readonly references: ExpressionReference[];
}

function shorten(source: string): string {
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length > 50 ? `${flat.slice(0, 47)}...` : flat;
}

/** The problem for an expression that failed to compile; `source` is one expression, or a whole template text. */
function expressionProblem(site: ExpressionSite, source: string, cause: unknown, wholeText = false): Problem {
  const shown = wholeText
    ? `text "${shorten(source)}"`
    : site.template
      ? `template "{{ ${shorten(source)} }}"`
      : `expression "${shorten(source)}"`;
  if (!(cause instanceof ExpressionError)) {
    return error('EXPRESSION_SYNTAX', site.path, `${shown} does not parse`);
  }
  switch (cause.code) {
    case 'EXPRESSION_FORBIDDEN':
      return error('EXPRESSION_FORBIDDEN', site.path, `${shown} is not allowed: ${cause.message}`);
    case 'EXPRESSION_LIMIT':
      return error(
        'EXPRESSION_LIMIT',
        site.path,
        `${shown} is too large: ${cause.message}; split the work over nodes`,
      );
    default:
      return error('EXPRESSION_SYNTAX', site.path, `${shown} does not parse: ${cause.message}`);
  }
}

/** The expressions of a site: the site itself, or the `{{ }}` parts of a template. */
function parts(site: ExpressionSite): string[] {
  return site.template ? templateExpressions(site.source) : [site.source];
}

/**
 * The member path a template reads when the whole string is one `{{ path }}` and nothing else, e.g.
 * `{{ nodes.extract.output.items }}` → `["nodes", "extract", "output", "items"]`; otherwise undefined. Such
 * a template passes the value through with its type, so schemas on both ends can be compared.
 */
export function wholeTemplateReference(text: string): string[] | undefined {
  const match = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(text);
  if (!match) return undefined;
  try {
    const found = templateExpressions(text);
    if (found.length !== 1) return undefined;
    const expression = (found[0] ?? '').trim();
    const references = expressionReferences(expression);
    const [only] = references;
    if (references.length !== 1 || !only) return undefined;
    const normalized = expression
      .replace(/\s+/g, '')
      .replace(/\?\./g, '.')
      .replace(/\[(\d+)\]/g, '.$1')
      .replace(/\[(["'])([^"'\\]*)\1\]/g, '.$2');
    return normalized === only.join('.') ? only : undefined;
  } catch {
    return undefined;
  }
}

/** Walks the graph to tell whether a node's output exists where an expression reads it. */
class Reachability {
  readonly #graph: WorkflowGraph;
  readonly #upstream = new Map<string, boolean>();
  #ranks: Map<string, number> | undefined;

  constructor(graph: WorkflowGraph) {
    this.#graph = graph;
  }

  /** The node and the containers around it, innermost first. */
  #chain(id: string): string[] {
    const chain = [id];
    for (let at = this.#graph.nodes.get(id); at;) {
      const owner = this.#graph.scopes.get(at.scope)?.owner;
      if (owner === undefined || chain.includes(owner)) break;
      chain.push(owner);
      at = this.#graph.nodes.get(owner);
    }
    return chain;
  }

  #scopeOf(id: string): string | undefined {
    return this.#graph.nodes.get(id)?.scope;
  }

  /** The position of each node in its scope's topological order; nodes on cycles have none. */
  #rank(id: string): number | undefined {
    if (this.#ranks === undefined) {
      this.#ranks = new Map();
      for (const scope of this.#graph.scopes.values()) {
        topologicalOrder(scope).order.forEach((node, i) => {
          // With duplicate ids (reported elsewhere) only the node the graph keeps is ranked.
          if (this.#scopeOf(node) === scope.id) this.#ranks?.set(node, i);
        });
      }
    }
    return this.#ranks.get(id);
  }

  /**
   * Whether a path of edges leads from `from` to `to` (same scope). A node later in topological order is
   * never upstream; otherwise a backward search from `to` stops as soon as it meets `from`, so the common
   * case, reading a close predecessor, costs little even in long chains.
   */
  #isUpstream(from: string, to: string): boolean {
    const rankFrom = this.#rank(from);
    const rankTo = this.#rank(to);
    if (rankFrom !== undefined && rankTo !== undefined && rankFrom >= rankTo) return false;
    const key = `${from}\u0000${to}`;
    const known = this.#upstream.get(key);
    if (known !== undefined) return known;
    const scope = this.#graph.scopes.get(this.#scopeOf(to) ?? '');
    const seen = new Set([to]);
    const queue = [to];
    let found = false;
    for (let i = 0; i < queue.length && !found; i++) {
      for (const { edge } of scope?.predecessors.get(queue[i] as string) ?? []) {
        if (edge.from === from) found = true;
        if (!seen.has(edge.from)) {
          seen.add(edge.from);
          queue.push(edge.from);
        }
      }
    }
    this.#upstream.set(key, found);
    return found;
  }

  /** Why `target`'s output is not there when `site` reads it, or undefined when it is. */
  whyNot(target: string, site: ExpressionSite): string | undefined {
    const reader = site.node;
    if (site.timing === 'end' || reader === undefined) return undefined;
    const readerChain = this.#chain(reader);
    const targetChain = this.#chain(target);
    const ref = `nodes.${target}`;
    if (site.timing === 'after' && targetChain.includes(reader)) return undefined;
    if (target === reader) {
      return `${ref} is node "${reader}" itself: its output is not available while it runs`;
    }
    if (readerChain.includes(target)) {
      return `${ref} is read inside "${target}", whose output is available only once it finishes`;
    }
    if (targetChain.includes(reader)) {
      return `${ref} is inside "${reader}" and runs only after "${reader}" starts: read it from "${reader}"'s assign or output instead`;
    }
    for (const outer of targetChain) {
      const scope = this.#scopeOf(outer);
      const position = readerChain.find((id) => this.#scopeOf(id) === scope);
      if (position === undefined) continue;
      if (position === outer) {
        return `${ref} runs in another branch of "${outer}" than "${reader}", so its output is not available there`;
      }
      if (this.#isUpstream(outer, position)) return undefined;
      return `${ref} is not upstream of "${reader}": its output is not available yet; add a path of edges from "${outer}" to "${position}", or read a node that runs before it`;
    }
    return undefined;
  }
}

/** Checks what the parsed expressions of a workflow read. */
class ReferenceChecker {
  readonly #workflow: Workflow;
  readonly #graph: WorkflowGraph;
  readonly #reachability: Reachability;
  readonly #inputProperties: JsonSchema | undefined;

  constructor(workflow: Workflow, graph: WorkflowGraph) {
    this.#workflow = workflow;
    this.#graph = graph;
    this.#reachability = new Reachability(graph);
    const properties = workflow.inputs['properties'];
    this.#inputProperties =
      typeof properties === 'object' && properties !== null && !Array.isArray(properties)
        ? (properties as JsonSchema)
        : undefined;
  }

  check(site: ExpressionSite, path: readonly string[]): Problem[] {
    const [root, name] = path;
    if (root === undefined) return [];
    const names = [...EXPRESSION_ROOTS, ...site.names];
    // Called library functions are not references, so every free name here must be data.
    if (!names.includes(root)) {
      return [
        error(
          'UNKNOWN_NAME',
          site.path,
          `unknown name "${root}"${suggestion(root, names)}; expressions here can read ${listOf(names)}`,
        ),
      ];
    }
    if (name === undefined) return [];
    switch (root) {
      case 'nodes':
        return this.#node(site, name);
      case 'vars':
        return this.#variable(site, name);
      case 'input':
        return this.#input(site, name);
      default:
        return [];
    }
  }

  #node(site: ExpressionSite, id: string): Problem[] {
    if (!this.#graph.nodes.has(id)) {
      return [
        error('UNKNOWN_NODE', site.path, `unknown node "${id}"${suggestion(id, this.#graph.nodes.keys())}`),
      ];
    }
    const why = this.#reachability.whyNot(id, site);
    return why === undefined ? [] : [warning('NODE_NOT_UPSTREAM', site.path, why)];
  }

  #variable(site: ExpressionSite, name: string): Problem[] {
    if (Object.hasOwn(this.#workflow.variables, name)) return [];
    return [unknownVariable(site.path, name, this.#workflow)];
  }

  #input(site: ExpressionSite, name: string): Problem[] {
    const properties = this.#inputProperties;
    if (!properties || Object.hasOwn(properties, name)) return [];
    const closed = this.#workflow.inputs['additionalProperties'] === false;
    const known = Object.keys(properties);
    const message = `the workflow input has no property "${name}"${suggestion(name, known)}; it declares ${known.length > 0 ? listOf(known) : 'none'}${closed ? '' : ' (other properties are allowed, so this may be intended)'}`;
    return [
      closed ? error('UNKNOWN_INPUT', site.path, message) : warning('UNKNOWN_INPUT', site.path, message),
    ];
  }
}

function unknownVariable(path: string, name: string, workflow: Workflow): Problem {
  const declared = Object.keys(workflow.variables);
  return error(
    'UNKNOWN_VARIABLE',
    path,
    `unknown variable "${name}"${suggestion(name, declared)}: declare it under "variables"${declared.length > 0 ? ` (declared: ${listOf(declared)})` : ''}`,
  );
}

/** Variables that `assign` sets without declaring them. */
function assignProblems(workflow: Workflow): Problem[] {
  const problems: Problem[] = [];
  walkNodes(workflow.nodes, ({ node, path }) => {
    for (const name of Object.keys(node.assign ?? {})) {
      if (Object.hasOwn(workflow.variables, name)) continue;
      problems.push(unknownVariable(childPath(`${path}.assign`, name), name, workflow));
    }
  });
  return problems;
}

/**
 * Parses every expression and template of a schema-valid workflow and checks what each reads: known names,
 * existing nodes that run before the reader, declared variables and inputs.
 */
export function expressionProblems(workflow: Workflow, graph: WorkflowGraph): ExpressionFindings {
  const problems: Problem[] = assignProblems(workflow);
  const references: ExpressionReference[] = [];
  const checker = new ReferenceChecker(workflow, graph);
  for (const site of expressionSites(workflow)) {
    let sources: string[];
    try {
      sources = parts(site);
    } catch (cause) {
      problems.push(expressionProblem(site, site.source, cause, true));
      continue;
    }
    for (const source of sources) {
      let paths: string[][];
      try {
        compileExpression(source);
        paths = expressionReferences(source);
      } catch (cause) {
        problems.push(expressionProblem(site, source, cause));
        continue;
      }
      for (const path of paths) {
        references.push({ site, path });
        problems.push(...checker.check(site, path));
      }
    }
  }
  return { problems, references };
}
