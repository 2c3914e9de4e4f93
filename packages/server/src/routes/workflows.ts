import type { FastifyPluginCallback } from 'fastify';
import {
  DefinitionError,
  fromNestedForm,
  isNestedForm,
  planWorkflow,
  validateWorkflow,
  type AgentCatalog,
  type PlanOptions,
  type Problem,
  type Workflow,
} from '@baton/core';
import {
  NoQuerySchema,
  WorkflowDocumentBodySchema,
  WorkflowIdParamsSchema,
  WorkflowPlanQuerySchema,
  WorkflowVersionQuerySchema,
} from '@baton/protocol';
import { parseRequest } from '../parse-request.js';
import type { RouteOptions } from './agents.js';
import { savedWorkflow } from './run-lookup.js';

/** What `POST /workflows/validate` answers: every problem, and the workflow with its defaults when it is valid. */
interface ValidationReport {
  ok: boolean;
  problems: Problem[];
  /** The document was in the spec's nested form and was converted to the graph form. */
  convertedFromNestedForm: boolean;
  workflow?: Workflow;
}

/**
 * Workflow versions under `/api/v1`: validate a document without saving it, save a version, read one, and plan
 * it — what `baton validate` and `baton plan` do, against the catalog this Baton serves.
 */
export const workflowRoutes: FastifyPluginCallback<RouteOptions> = (app, { baton }, done) => {
  // A report, not a refusal: an invalid document answers 200 with `ok: false` and its problems.
  app.post('/workflows/validate', (request): ValidationReport => {
    const document = parseRequest(WorkflowDocumentBodySchema, request.body, 'body');
    return validateDocument(document, baton.catalog);
  });

  // Saves a version: 201 when new, 200 when this very version is saved already; other content under a saved
  // version is refused (409), since runs pinned to it must always see what they started on.
  app.post('/workflows', async (request, reply) => {
    const document = parseRequest(WorkflowDocumentBodySchema, request.body, 'body');
    const parsed = baton.parseWorkflow(document);
    const known = await baton.getWorkflow(parsed.id, parsed.version);
    const workflow = await baton.saveWorkflow(parsed);
    return reply.code(known ? 200 : 201).send({ workflow });
  });

  // The newest version of each saved workflow, as a summary; `GET /workflows/:id` gives the document.
  app.get('/workflows', async (request) => {
    parseRequest(NoQuerySchema, request.query, 'query');
    const saved = await baton.listWorkflows();
    const workflows = saved
      .map(({ workflow, savedAt }) => ({
        id: workflow.id,
        name: workflow.name,
        description: workflow.description ?? '',
        version: workflow.version,
        savedAt,
        nodes: workflow.nodes.length,
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
    return { workflows };
  });

  app.get('/workflows/:id', async (request) => {
    const { id } = parseRequest(WorkflowIdParamsSchema, request.params, 'params');
    const { version } = parseRequest(WorkflowVersionQuerySchema, request.query, 'query');
    return { workflow: await savedWorkflow(baton, id, version) };
  });

  // Parallel groups, critical path, estimated time and cost, from the agents' declared figures (as `baton plan`).
  app.get('/workflows/:id/plan', async (request) => {
    const { id } = parseRequest(WorkflowIdParamsSchema, request.params, 'params');
    const { version, mode } = parseRequest(WorkflowPlanQuerySchema, request.query, 'query');
    const workflow = await savedWorkflow(baton, id, version);
    const options: PlanOptions = { mode, agentLookup: declaredPerformance(baton.catalog) };
    return {
      workflow: { id: workflow.id, version: workflow.version },
      plan: planWorkflow(workflow, options),
    };
  });

  done();
};

/** Converts a nested-form document when needed, then validates it against the catalog. */
function validateDocument(document: unknown, agents: AgentCatalog): ValidationReport {
  const nested = isNestedForm(document);
  let graph: unknown = document;
  if (nested) {
    try {
      graph = fromNestedForm(document);
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      return { ok: false, problems: [...error.problems], convertedFromNestedForm: true };
    }
  }
  const result = validateWorkflow(graph, { agents });
  return {
    ok: result.ok,
    problems: result.problems,
    convertedFromNestedForm: nested,
    ...(result.ok && result.workflow ? { workflow: result.workflow } : {}),
  };
}

function declaredPerformance(catalog: AgentCatalog): NonNullable<PlanOptions['agentLookup']> {
  return (node) => {
    const agent = node.agent ? catalog.resolve(node.agent) : undefined;
    return agent
      ? { avgLatencyMs: agent.performance.avgLatency, costPerExecution: agent.performance.costPerExecution }
      : undefined;
  };
}
