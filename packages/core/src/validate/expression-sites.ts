import type { WorkflowNode } from '../model/node-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import { childPath } from './json-path.js';
import { walkNodes } from './walk-nodes.js';

/**
 * When an expression is evaluated relative to its node: `before` the node runs (its inputs, its condition),
 * `after` it and everything inside it completed (`assign`, a loop's `output`), or at the `end` of the run
 * (workflow outputs). It decides which `nodes.X` outputs exist by then.
 */
export type SiteTiming = 'before' | 'after' | 'end';

/** One place in a workflow that holds an expression, or a string that may hold `{{ }}` templates. */
export interface ExpressionSite {
  readonly path: string;
  readonly source: string;
  /** True for strings whose `{{ }}` parts are expressions; false for whole expressions. */
  readonly template: boolean;
  /** The id of the node the site belongs to; undefined for workflow outputs. */
  readonly node: string | undefined;
  readonly timing: SiteTiming;
  /** Names the site may read besides the ones every expression may: `loop`, `output`, `event`. */
  readonly names: readonly string[];
}

interface SiteContext {
  readonly node: string | undefined;
  readonly timing: SiteTiming;
  readonly names: readonly string[];
}

function addTemplates(
  sites: ExpressionSite[],
  value: unknown,
  path: string,
  context: SiteContext,
  depth = 0,
): void {
  // Inputs are user data of any shape; past this depth they are not worth the walk (or the stack).
  if (depth > 64) return;
  if (typeof value === 'string') {
    if (value.includes('{{')) sites.push({ path, source: value, template: true, ...context });
  } else if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => addTemplates(sites, item, childPath(path, i), context, depth + 1));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      addTemplates(sites, item, childPath(path, key), context, depth + 1);
    }
  }
}

function addExpressions(
  sites: ExpressionSite[],
  entries: readonly [string, string | undefined][],
  context: SiteContext,
): void {
  for (const [path, source] of entries) {
    if (source !== undefined) sites.push({ path, source, template: false, ...context });
  }
}

function mapEntries(record: Readonly<Record<string, string>> | undefined, path: string): [string, string][] {
  return Object.entries(record ?? {}).map(([key, source]) => [childPath(path, key), source]);
}

function nodeSites(sites: ExpressionSite[], node: WorkflowNode, path: string, inLoopBody: boolean): void {
  const loop = inLoopBody ? ['loop'] : [];
  const before: SiteContext = { node: node.id, timing: 'before', names: loop };
  const after: SiteContext = { node: node.id, timing: 'after', names: [...loop, 'output'] };
  addExpressions(sites, mapEntries(node.assign, `${path}.assign`), after);
  if (node.compensation?.type === 'agent') {
    addTemplates(sites, node.compensation.inputs, `${path}.compensation.inputs`, after);
  } else if (node.compensation?.type === 'transform') {
    addExpressions(sites, mapEntries(node.compensation.set, `${path}.compensation.set`), after);
  }
  switch (node.type) {
    case 'agent':
    case 'subworkflow':
      addTemplates(sites, node.inputs, `${path}.inputs`, before);
      break;
    case 'conditional':
      addExpressions(
        sites,
        [
          [`${path}.condition`, node.condition],
          ...(node.cases ?? []).map((c, i): [string, string] => [`${path}.cases[${i}].when`, c.when]),
        ],
        before,
      );
      break;
    case 'parallel':
      addExpressions(
        sites,
        node.branches.map((b, i): [string, string | undefined] => [
          `${path}.branches[${i}].output`,
          b.output,
        ]),
        { node: node.id, timing: 'after', names: loop },
      );
      break;
    case 'loop': {
      addExpressions(sites, [[`${path}.forEach`, node.forEach]], before);
      const own: SiteContext = { node: node.id, timing: 'after', names: ['loop'] };
      addExpressions(
        sites,
        [
          [`${path}.while`, node.while],
          [`${path}.output`, node.output],
        ],
        own,
      );
      break;
    }
    case 'approval':
      addTemplates(sites, node.message, `${path}.message`, before);
      break;
    case 'transform':
      addExpressions(sites, mapEntries(node.set, `${path}.set`), before);
      break;
    case 'wait':
      addExpressions(sites, [[`${path}.until`, node.until]], before);
      addExpressions(sites, [[`${path}.event.match`, node.event?.match]], {
        ...before,
        names: [...loop, 'event'],
      });
      break;
    case 'emit':
      addTemplates(sites, node.payload, `${path}.payload`, before);
      break;
  }
}

/**
 * Every expression and template-bearing string of a schema-valid workflow, in document order, with what each
 * may read. The one list that the expression, reference and type checks share.
 */
export function expressionSites(workflow: Workflow): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  walkNodes(workflow.nodes, ({ node, path, inLoopBody }) => nodeSites(sites, node, path, inLoopBody));
  for (const [name, output] of Object.entries(workflow.outputs)) {
    sites.push({
      path: childPath(childPath('outputs', name), 'value'),
      source: output.value,
      template: false,
      node: undefined,
      timing: 'end',
      names: [],
    });
  }
  return sites;
}
