import { z } from 'zod';

/*
 * What the workflow routes of the HTTP API accept (`/api/v1/workflows…`, see docs/api.md). Workflow documents
 * themselves are validated by Baton (`DEFINITION_INVALID` with every problem); these schemas check only the
 * shape of a request around them.
 */

/** A workflow id as a path names it; what an id may be is checked by the validator, here only its size. */
const workflowId = z.string().min(1).max(200);
/** A workflow version, exactly (`1.2.0`), never a range. */
const workflowVersion = z.string().min(1).max(100);

/**
 * A workflow document (the graph form or the spec's nested form) as a request body: any JSON object, since the
 * validator answers for its content with every problem at once.
 */
export const WorkflowDocumentBodySchema = z.record(z.string(), z.unknown(), {
  error: 'the body must be a JSON object: a workflow document',
});
export type WorkflowDocumentBody = z.infer<typeof WorkflowDocumentBodySchema>;

/** `:id` of `/workflows/:id…`. */
/** A route that takes no query parameters: any given is refused rather than ignored. */
export const NoQuerySchema = z.strictObject({});

export const WorkflowIdParamsSchema = z.strictObject({ id: workflowId });
export type WorkflowIdParams = z.infer<typeof WorkflowIdParamsSchema>;

/** The query of `GET /workflows/:id`: a saved version; without it, the one saved last. */
export const WorkflowVersionQuerySchema = z.strictObject({ version: workflowVersion.optional() });
export type WorkflowVersionQuery = z.infer<typeof WorkflowVersionQuerySchema>;

/**
 * The query of `GET /workflows/:id/plan`: which version, and how branches that exclude each other count —
 * `worst` (every branch runs) or `expected` (weighted, the branches of a node sharing its probability equally).
 */
export const WorkflowPlanQuerySchema = z.strictObject({
  version: workflowVersion.optional(),
  mode: z.enum(['worst', 'expected']).default('worst'),
});
export type WorkflowPlanQuery = z.infer<typeof WorkflowPlanQuerySchema>;

/** A saved workflow version named by a request: `{ "id": "invoice", "version": "1.2.0" }`, newest without `version`. */
export const WorkflowRefSchema = z.strictObject({ id: workflowId, version: workflowVersion.optional() });
export type WorkflowRef = z.infer<typeof WorkflowRefSchema>;
