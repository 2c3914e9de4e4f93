import type { Problem } from '../errors/errors.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { WorkflowGraph } from '../model/workflow-graph.js';
import type { Workflow } from '../model/workflow-schema.js';
import { type ExpressionReference, wholeTemplateReference } from './expression-checks.js';
import { childPath } from './json-path.js';
import { describeValue, error, jsonTypeOf, listOf, suggestion, warning, withArticle } from './problem.js';
import { walkNodes } from './walk-nodes.js';

type Lookup =
  | { kind: 'found'; schema: Record<string, unknown> }
  | { kind: 'missing'; segment: string; index: number; known: string[] }
  | { kind: 'unknown' };

const UNKNOWN: Lookup = { kind: 'unknown' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON types a schema allows, or undefined when it does not say (no `type`, `const` or `enum`). */
function typesOf(schema: Record<string, unknown>): string[] | undefined {
  const { type } = schema;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type) && type.every((t) => typeof t === 'string')) return type;
  if (Object.hasOwn(schema, 'const')) return [jsonTypeOf(schema['const'])];
  if (Array.isArray(schema['enum'])) return [...new Set(schema['enum'].map(jsonTypeOf))];
  return undefined;
}

/** Whether a value of one of `source` types may fill a place of one of `target` types; integer and number mix. */
function compatible(source: readonly string[] | undefined, target: readonly string[] | undefined): boolean {
  if (!source || !target) return true;
  const widen = (types: readonly string[]): Set<string> => {
    const set = new Set(types);
    if (set.has('integer') || set.has('number')) set.add('integer').add('number');
    return set;
  };
  const wanted = widen(target);
  return [...widen(source)].some((t) => wanted.has(t));
}

function typePhrase(types: readonly string[]): string {
  return types.map(withArticle).join(' or ');
}

/** The part of a JSON Schema that describes the value at `segments` (through `properties` and `items`). */
function schemaAt(schema: unknown, segments: readonly string[]): Lookup {
  let current = schema;
  for (const [index, segment] of segments.entries()) {
    if (!isRecord(current)) return UNKNOWN;
    const types = typesOf(current) ?? [];
    if (types.includes('array') || isRecord(current['items'])) {
      if (/^\d+$/.test(segment) && isRecord(current['items'])) current = current['items'];
      else if (segment === 'length') current = { type: 'integer' };
      else return UNKNOWN;
      continue;
    }
    if (types.length === 1 && types[0] === 'string') {
      if (segment !== 'length') return UNKNOWN;
      current = { type: 'integer' };
      continue;
    }
    const properties = current['properties'];
    if (isRecord(properties) && Object.hasOwn(properties, segment)) {
      current = properties[segment];
    } else if (isRecord(properties) && current['additionalProperties'] === false) {
      return { kind: 'missing', segment, index, known: Object.keys(properties) };
    } else {
      return UNKNOWN;
    }
  }
  return isRecord(current) ? { kind: 'found', schema: current } : UNKNOWN;
}

/** Follows references into the schemas that describe them: agent outputs, the workflow input, variables. */
class Schemas {
  readonly #workflow: Workflow;
  readonly #graph: WorkflowGraph;
  readonly #agents: ReadonlyMap<string, AgentDefinition>;

  constructor(workflow: Workflow, graph: WorkflowGraph, agents: ReadonlyMap<string, AgentDefinition>) {
    this.#workflow = workflow;
    this.#graph = graph;
    this.#agents = agents;
  }

  /** The agent whose output `nodes.<id>.output` is, when the node is a pinned agent the catalog resolved. */
  outputAgent(id: string): AgentDefinition | undefined {
    const entry = this.#graph.nodes.get(id);
    return entry?.node.type === 'agent' ? this.#agents.get(entry.path) : undefined;
  }

  lookup(path: readonly string[]): Lookup {
    const [root, name, field, ...rest] = path;
    if (root === 'nodes' && name !== undefined && field === 'output') {
      return schemaAt(this.outputAgent(name)?.outputSchema, rest);
    }
    if (root === 'input') return schemaAt(this.#workflow.inputs, path.slice(1));
    if (root === 'vars' && name !== undefined && Object.hasOwn(this.#workflow.variables, name)) {
      return schemaAt(this.#workflow.variables[name]?.schema, path.slice(2));
    }
    return UNKNOWN;
  }
}

function agentLabel(agent: AgentDefinition): string {
  return `"${agent.id}@${agent.version}"`;
}

/** The inputs an agent insists on: its config's `requiredInputs` and its input schema's `required`. */
function requiredInputs(agent: AgentDefinition): string[] {
  const required = agent.inputSchema?.['required'];
  const fromSchema = Array.isArray(required)
    ? required.filter((r): r is string => typeof r === 'string')
    : [];
  return [...new Set([...agent.config.requiredInputs, ...fromSchema])];
}

/** Missing, unexpected and mistyped inputs of one call of an agent. */
function callProblems(
  inputs: Readonly<Record<string, unknown>>,
  path: string,
  agent: AgentDefinition,
  schemas: Schemas,
): Problem[] {
  const problems: Problem[] = [];
  for (const name of requiredInputs(agent)) {
    if (Object.hasOwn(inputs, name)) continue;
    problems.push(
      error('MISSING_INPUT', path, `agent ${agentLabel(agent)} requires input "${name}": add it to inputs`),
    );
  }
  const properties = isRecord(agent.inputSchema?.['properties'])
    ? agent.inputSchema['properties']
    : undefined;
  const declared = [
    ...Object.keys(properties ?? {}),
    ...agent.config.requiredInputs,
    ...agent.config.optionalInputs,
  ];
  const closed = properties !== undefined && agent.inputSchema?.['additionalProperties'] === false;
  for (const [name, value] of Object.entries(inputs)) {
    const inputPath = childPath(path, name);
    const target = properties?.[name];
    if (!isRecord(target)) {
      if (closed && !declared.includes(name)) {
        problems.push(
          warning(
            'UNEXPECTED_INPUT',
            inputPath,
            `agent ${agentLabel(agent)} takes no input "${name}"${suggestion(name, declared)}; it takes ${listOf([...new Set(declared)])}`,
          ),
        );
      }
      continue;
    }
    const wanted = typesOf(target);
    const reference = typeof value === 'string' ? wholeTemplateReference(value) : undefined;
    let source: string[] | undefined;
    let what: string;
    if (reference) {
      const found = schemas.lookup(reference);
      source = found.kind === 'found' ? typesOf(found.schema) : undefined;
      what = reference.join('.');
    } else if (typeof value === 'string' && value.includes('{{')) {
      // Text around templates makes a string whatever the templates hold; whether that is wanted is unclear.
      continue;
    } else {
      source = [jsonTypeOf(value)];
      what = `the value ${describeValue(value)}`;
    }
    if (compatible(source, wanted) || !source || !wanted) continue;
    problems.push(
      error(
        'TYPE_MISMATCH',
        inputPath,
        `input "${name}" of agent ${agentLabel(agent)} expects ${typePhrase(wanted)}, but ${what} is ${typePhrase(source)}: pass ${typePhrase(wanted)}`,
      ),
    );
  }
  return problems;
}

/** References to output fields that an agent's closed output schema does not have. */
function outputFieldProblems(references: readonly ExpressionReference[], schemas: Schemas): Problem[] {
  const problems: Problem[] = [];
  for (const { site, path } of references) {
    const [root, id, field] = path;
    if (root !== 'nodes' || id === undefined || field !== 'output') continue;
    const agent = schemas.outputAgent(id);
    const found = schemas.lookup(path);
    if (!agent || found.kind !== 'missing') continue;
    // The lookup counts segments after `nodes.<id>.output`.
    const at = path.slice(0, 3 + found.index).join('.');
    problems.push(
      error(
        'UNKNOWN_OUTPUT_FIELD',
        site.path,
        `${at} has no field "${found.segment}"${suggestion(found.segment, found.known)}: the output schema of agent ${agentLabel(agent)} declares ${found.known.length > 0 ? listOf(found.known) : 'no fields'}`,
      ),
    );
  }
  return problems;
}

/**
 * Compares what flows into agents with what they declare, where both ends are known: required inputs,
 * input names, JSON types of literals and of `{{ reference }}` inputs, and fields read from agent outputs.
 * Only agents resolved in the catalog are checked; transform outputs and capability queries are unknown.
 */
export function typeProblems(
  workflow: Workflow,
  graph: WorkflowGraph,
  agents: ReadonlyMap<string, AgentDefinition>,
  references: readonly ExpressionReference[],
): Problem[] {
  const schemas = new Schemas(workflow, graph, agents);
  const problems: Problem[] = [];
  walkNodes(workflow.nodes, ({ node, path }) => {
    const agent = agents.get(path);
    if (node.type === 'agent' && agent)
      problems.push(...callProblems(node.inputs, `${path}.inputs`, agent, schemas));
    const undo = agents.get(`${path}.compensation`);
    if (node.compensation?.type === 'agent' && undo) {
      problems.push(...callProblems(node.compensation.inputs, `${path}.compensation.inputs`, undo, schemas));
    }
  });
  return [...problems, ...outputFieldProblems(references, schemas)];
}
