import { DefinitionError, type Problem } from '../errors/errors.js';
import { buildWorkflowGraph } from '../model/workflow-graph.js';
import { type Workflow, WorkflowSchema } from '../model/workflow-schema.js';
import type { AgentCatalog } from '../registry/agent-catalog.js';
import { expressionProblems } from './expression-checks.js';
import { duplicateIdProblems, edgeEndProblems, graphProblems } from './graph-checks.js';
import { childPath, sortByDocumentPosition } from './json-path.js';
import { jsonSchemaProblems } from './json-schema-checks.js';
import { nodeShapeProblems } from './node-checks.js';
import { problemCount, uniqueProblems } from './problem.js';
import { agentReferenceProblems } from './reference-checks.js';
import { schemaProblems, unknownFieldProblems } from './schema-problems.js';
import { typeProblems } from './type-checks.js';
import { outlineWorkflow } from './workflow-outline.js';

/** What validation may check against besides the document itself. */
export interface ValidateOptions {
  /**
   * The agents the workflow may call. Without it agent references are not checked (only the syntax of their
   * versions), nor are agent inputs and outputs; no problem says so, since a catalog is simply not available
   * everywhere (the builder offline, a linter in CI).
   */
  agents?: AgentCatalog;
}

/** Every problem of a document at once, in document order, and the parsed workflow when the schema allowed it. */
export interface ValidationResult {
  /** True when no problem has severity `error`; warnings alone keep a workflow runnable. */
  ok: boolean;
  problems: Problem[];
  /** The workflow with defaults applied; present whenever the schema check passed, even with other errors. */
  workflow?: Workflow;
}

/** Checks that need a schema-valid workflow: the graph, node shapes, schemas, agents, expressions and types. */
function semanticProblems(workflow: Workflow, options: ValidateOptions): Problem[] {
  const graph = buildWorkflowGraph(workflow);
  const references = agentReferenceProblems(workflow, options.agents);
  const expressions = expressionProblems(workflow, graph);
  const schemas = [
    ...jsonSchemaProblems(workflow.inputs, 'inputs'),
    ...Object.entries(workflow.variables).flatMap(([name, v]) =>
      v.schema ? jsonSchemaProblems(v.schema, childPath(childPath('variables', name), 'schema')) : [],
    ),
    ...Object.entries(workflow.outputs).flatMap(([name, o]) =>
      o.schema ? jsonSchemaProblems(o.schema, childPath(childPath('outputs', name), 'schema')) : [],
    ),
  ];
  return [
    ...graphProblems(graph),
    ...nodeShapeProblems(workflow),
    ...schemas,
    ...references.problems,
    ...expressions.problems,
    ...typeProblems(workflow, graph, references.resolved, expressions.references),
  ];
}

/**
 * Validates a workflow document: its structure against the format's schema, then its meaning (graph,
 * references, expressions, types). Never throws on a bad document; every problem is in the result, each
 * with a code, a JSON path and a message that says how to fix it. When the structure is broken, duplicate
 * ids and dangling edges are still reported from what can be read.
 */
export function validateWorkflow(document: unknown, options: ValidateOptions = {}): ValidationResult {
  const outline = outlineWorkflow(document);
  const problems = [
    ...unknownFieldProblems(WorkflowSchema, document),
    ...duplicateIdProblems(outline),
    ...edgeEndProblems(outline),
  ];
  const parsed = WorkflowSchema.safeParse(document);
  if (parsed.success) problems.push(...semanticProblems(parsed.data, options));
  else problems.push(...schemaProblems(parsed.error.issues, document));
  const sorted = sortByDocumentPosition(document, uniqueProblems(problems));
  const ok = sorted.every((p) => p.severity !== 'error');
  return parsed.success ? { ok, problems: sorted, workflow: parsed.data } : { ok, problems: sorted };
}

/**
 * The workflow a document describes, with defaults applied, for code that cannot go on without one (the
 * engine, the CLI's `run`). Throws `DefinitionError` carrying every problem when any is an error; warnings
 * alone do not stop it.
 */
export function parseWorkflow(document: unknown, options: ValidateOptions = {}): Workflow {
  const result = validateWorkflow(document, options);
  if (result.ok && result.workflow) return result.workflow;
  const id = (document as { id?: unknown } | null)?.id;
  const name = typeof id === 'string' ? `workflow "${id}"` : 'workflow';
  throw new DefinitionError(`${name} is invalid: ${problemCount(result.problems)}`, result.problems);
}
