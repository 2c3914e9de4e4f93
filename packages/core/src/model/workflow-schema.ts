import { z } from 'zod';
import {
  BudgetSchema,
  IdSchema,
  JsonSchemaSchema,
  RetryPolicySchema,
  SemverSchema,
} from './common-schema.js';
import { EdgeSchema, WorkflowNodeSchema } from './node-schema.js';

/** A workflow variable: shared, run-scoped memory that nodes read as `vars.NAME` and set with `assign`. */
export const VariableSchema = z
  .object({
    schema: JsonSchemaSchema.optional(),
    default: z.unknown().optional(),
    description: z.string().optional(),
  })
  .meta({ id: 'Variable' });

/** One named output of a workflow: an expression evaluated when the run completes. */
export const WorkflowOutputSchema = z
  .object({
    value: z.string().min(1).meta({ description: 'Expression, e.g. "nodes.format.output.document".' }),
    schema: JsonSchemaSchema.optional(),
    description: z.string().optional(),
  })
  .meta({ id: 'WorkflowOutput' });

/** Run-wide policies. Node settings override them where both apply. */
export const WorkflowPoliciesSchema = z
  .object({
    timeoutMs: z.int().min(1).optional().meta({ description: 'Default per-attempt timeout of each task.' }),
    retry: RetryPolicySchema.optional(),
    budget: BudgetSchema.optional(),
    concurrency: z
      .object({ maxParallelTasks: z.int().min(1).optional() })
      .optional()
      .meta({ description: 'How many tasks of one run may run at once.' }),
    priority: z
      .int()
      .min(0)
      .max(100)
      .default(50)
      .meta({ description: 'Run priority; higher runs are dispatched first.' }),
    escalation: z
      .object({
        assignee: z.string().min(1).meta({ description: 'Who is asked: a person, a role or a team.' }),
        message: z.string().optional(),
      })
      .optional()
      .meta({
        description:
          'A human in the loop: a task failure nothing else handles asks this person to retry, skip (supplying the output) or abort, instead of failing the run.',
      }),
    onFailure: z
      .enum(['fail', 'rollback'])
      .default('fail')
      .meta({ description: '"rollback" runs the compensations of completed steps when the run fails.' }),
  })
  .meta({ id: 'WorkflowPolicies' });

/** A versioned workflow document (DESIGN §3). Runs are pinned to the version they started on. */
export const WorkflowSchema = z
  .object({
    $schema: z.string().optional(),
    id: IdSchema,
    name: z.string().min(1),
    version: SemverSchema,
    description: z.string().default(''),
    tags: z.array(z.string().min(1)).default([]),
    inputs: JsonSchemaSchema.default({ type: 'object' }).meta({
      description: 'JSON Schema of the run input, read by expressions as `input`.',
    }),
    variables: z.record(IdSchema, VariableSchema).default({}),
    nodes: z.array(WorkflowNodeSchema).min(1),
    edges: z.array(EdgeSchema).default([]),
    outputs: z.record(IdSchema, WorkflowOutputSchema).default({}),
    policies: WorkflowPoliciesSchema.default({ priority: 50, onFailure: 'fail' }),
  })
  .meta({ id: 'Workflow', title: 'Baton workflow' });

/** A workflow after parsing: defaults applied. */
export type Workflow = z.infer<typeof WorkflowSchema>;
/** A workflow as written: fields with defaults may be left out. */
export type WorkflowInput = z.input<typeof WorkflowSchema>;
export type Variable = z.infer<typeof VariableSchema>;
export type WorkflowOutput = z.infer<typeof WorkflowOutputSchema>;
export type WorkflowPolicies = z.infer<typeof WorkflowPoliciesSchema>;
