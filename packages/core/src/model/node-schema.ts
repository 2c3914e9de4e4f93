import { z } from 'zod';
import { AgentIdSchema, IdSchema, PositionSchema, RetryPolicySchema, SemverSchema } from './common-schema.js';
import { DomainSchema } from './agent-schema.js';

/**
 * Node types of the workflow graph (DESIGN §3). Strings in `inputs`, `message` and the like may hold
 * `{{ expression }}` templates; fields named `condition`, `when`, `forEach`, `while` and the values of `set`
 * and `assign` are whole expressions.
 */

const Expression = z.string().min(1).meta({ description: 'An expression in JavaScript syntax.' });

/** A pinned agent: `version` is an exact version or a range such as "^1.2.0"; absent means the newest active. */
export const AgentRefSchema = z
  .object({
    id: AgentIdSchema,
    version: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Exact version or semver range; absent: the newest active version.' }),
  })
  .meta({ id: 'AgentRef' });
export type AgentRef = z.infer<typeof AgentRefSchema>;

/** Find an agent by what it can do instead of by id; resolved when the task is dispatched. */
export const CapabilityQuerySchema = z
  .object({
    domain: DomainSchema.optional(),
    skills: z.array(IdSchema).min(1),
    inputTypes: z.array(z.string()).optional(),
    outputTypes: z.array(z.string()).optional(),
    strategy: z.enum(['cheapest', 'fastest', 'most_reliable', 'balanced']).default('balanced'),
    constraints: z
      .object({
        maxCostUsd: z.number().min(0).optional(),
        maxLatencyMs: z.number().min(0).optional(),
        minSuccessRate: z.number().min(0).max(100).optional(),
      })
      .optional(),
  })
  .meta({ id: 'CapabilityQuery' });
export type CapabilityQuery = z.infer<typeof CapabilityQuerySchema>;

/** What undoes a completed step when the run rolls back (saga compensation). */
export const CompensationSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('agent'),
      agent: AgentRefSchema,
      inputs: z.record(z.string(), z.unknown()).default({}),
    }),
    z.object({ type: z.literal('transform'), set: z.record(z.string(), Expression) }),
  ])
  .meta({ id: 'Compensation' });
export type Compensation = z.infer<typeof CompensationSchema>;

/** Fields every node has. */
const nodeBase = {
  id: IdSchema,
  name: z.string().optional().meta({ description: 'Label shown in the builder and the run views.' }),
  description: z.string().optional(),
  timeoutMs: z.int().min(1).optional().meta({ description: 'Per-attempt timeout; defaults from the agent.' }),
  retry: RetryPolicySchema.optional(),
  optional: z.boolean().optional().meta({
    description:
      'When true, a failure after all retries does not fail the run: the node settles as failed with a null output and the run goes on.',
  }),
  onError: z.enum(['fail', 'continue', 'route', 'escalate']).optional().meta({
    description:
      'After all retries and fallbacks fail: "fail" the run (default), "continue" with a null output, "route" to the nodes on this node\'s "error" port, or "escalate" to a person who retries, skips (supplying the output) or aborts.',
  }),
  compensation: CompensationSchema.optional(),
  assign: z
    .record(IdSchema, Expression)
    .optional()
    .meta({ description: 'Workflow variables to set when the node completes; `output` is in scope.' }),
  position: PositionSchema.optional(),
};

const AgentNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('agent'),
    agent: AgentRefSchema.optional(),
    select: CapabilityQuerySchema.optional(),
    fallbacks: z
      .array(AgentRefSchema)
      .optional()
      .meta({ description: 'Agents to try in order when the chosen one is unavailable.' }),
    inputs: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: 'AgentNode', description: 'Calls one agent, by id or by capability. Ports: out, error.' });

const ConditionalNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('conditional'),
    condition: Expression.optional().meta({ description: 'If/else: ports "true" and "false".' }),
    cases: z
      .array(z.object({ port: IdSchema, when: Expression }))
      .min(1)
      .optional()
      .meta({
        description: 'Switch: the first case whose `when` holds takes its port; none: port "default".',
      }),
  })
  .meta({
    id: 'ConditionalNode',
    description: 'Chooses one outgoing port. Exactly one of condition or cases.',
  });

/** A sub-graph: the body of a loop. Node ids are unique across the whole workflow, bodies included. */
export interface SubGraph {
  nodes: WorkflowNode[];
  edges: Edge[];
}

/** One branch of a parallel node: a sub-graph and, optionally, the expression that is its output. */
export interface Branch extends SubGraph {
  name?: string | undefined;
  output?: string | undefined;
}

const ParallelNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('parallel'),
    waitFor: z.enum(['all', 'first']).default('all'),
    aggregateOutputs: z
      .boolean()
      .default(true)
      .meta({ description: 'Output an array of every branch output (all) or the first one (first).' }),
    get branches(): z.ZodArray<z.ZodType<Branch>> {
      return z.array(BranchSchema).min(1);
    },
  })
  .meta({
    id: 'ParallelNode',
    description:
      'Runs its branches at once and completes when all (or the first) finish. A branch outputs its `output` expression, else the output of its last node.',
  });

const LoopNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('loop'),
    forEach: Expression.optional().meta({
      description: 'A list; the body runs once per item (`loop.item`).',
    }),
    while: Expression.optional().meta({ description: 'Checked before each iteration; `loop.index` counts.' }),
    maxIterations: z.int().min(1).max(1_000_000).default(1000),
    concurrency: z.int().min(1).default(1).meta({ description: 'Iterations at once (for-each only).' }),
    output: Expression.optional().meta({
      description:
        "An iteration's output; default: the output of the body's last node. The loop outputs the list.",
    }),
    get body(): z.ZodType<SubGraph> {
      return SubGraphSchema;
    },
  })
  .meta({
    id: 'LoopNode',
    description: 'For-each over a list, or while a condition holds. Exactly one of the two.',
  });

const ApprovalNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('approval'),
    assignee: z.string().min(1).meta({ description: 'A user id, or "role:<name>".' }),
    message: z.string().min(1).meta({ description: 'What the approver is asked; may hold templates.' }),
    options: z
      .array(IdSchema)
      .min(2)
      .default(['approved', 'rejected'])
      .meta({ description: 'Possible decisions; each is an output port.' }),
    requiredFields: z.array(z.string()).default([]).meta({ description: 'Fields the approver must review.' }),
    deadlineMs: z
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Time to decide before `autoDecision` applies.' }),
    autoDecision: z.string().optional().meta({ description: 'Decision on timeout; default "rejected".' }),
    urgency: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
    channels: z.array(z.enum(['email', 'slack', 'in_app'])).default(['in_app']),
  })
  .meta({
    id: 'ApprovalNode',
    description:
      'Waits for a person. Ports: one per option; an edge without a port follows "approved". A rejection with no "rejected" edge fails the run.',
  });

const TransformNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('transform'),
    set: z
      .record(z.string(), Expression)
      .meta({ description: 'Output fields, each computed by an expression.' }),
  })
  .meta({ id: 'TransformNode', description: 'Computes an output object from expressions.' });

const SubworkflowNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('subworkflow'),
    workflow: z.object({ id: IdSchema, version: SemverSchema.optional() }),
    inputs: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({
    id: 'SubworkflowNode',
    description: "Runs another workflow as a child run; outputs the child's outputs.",
  });

const WaitNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('wait'),
    durationMs: z.int().min(0).optional(),
    until: Expression.optional().meta({ description: 'An ISO date-time or epoch milliseconds.' }),
    event: z
      .object({
        name: z.string().min(1),
        match: Expression.optional().meta({ description: 'Must hold for the event (`event.payload`).' }),
        timeoutMs: z.int().min(1).optional(),
      })
      .optional(),
  })
  .meta({
    id: 'WaitNode',
    description: 'Waits for a duration, a moment, or an event. Exactly one of the three.',
  });

const EmitNodeSchema = z
  .object({
    ...nodeBase,
    type: z.literal('emit'),
    event: z.string().min(1),
    payload: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: 'EmitNode', description: 'Publishes an event on the run; wait nodes may be waiting for it.' });

/** Every node type, told apart by `type`. */
export const WorkflowNodeSchema = z
  .discriminatedUnion('type', [
    AgentNodeSchema,
    ConditionalNodeSchema,
    ParallelNodeSchema,
    LoopNodeSchema,
    ApprovalNodeSchema,
    TransformNodeSchema,
    SubworkflowNodeSchema,
    WaitNodeSchema,
    EmitNodeSchema,
  ])
  .meta({ id: 'WorkflowNode' });

/** A directed connection from one node's port to another node. */
export const EdgeSchema = z
  .object({
    from: IdSchema,
    to: IdSchema,
    port: z.string().min(1).optional().meta({ description: 'Source port; absent means "out".' }),
  })
  .meta({ id: 'Edge' });

const SubGraphSchema: z.ZodType<SubGraph> = z
  .object({
    get nodes() {
      return z.array(WorkflowNodeSchema).min(1);
    },
    edges: z.array(EdgeSchema).default([]),
  })
  .meta({ id: 'SubGraph' });

const BranchSchema: z.ZodType<Branch> = z
  .object({
    name: z.string().optional(),
    get nodes() {
      return z.array(WorkflowNodeSchema).min(1);
    },
    edges: z.array(EdgeSchema).default([]),
    output: Expression.optional(),
  })
  .meta({ id: 'Branch' });

export type Edge = z.infer<typeof EdgeSchema>;
export type WorkflowNode = z.infer<typeof WorkflowNodeSchema>;
export type NodeType = WorkflowNode['type'];
export type AgentNode = z.infer<typeof AgentNodeSchema>;
export type ConditionalNode = z.infer<typeof ConditionalNodeSchema>;
export type ParallelNode = z.infer<typeof ParallelNodeSchema>;
export type LoopNode = z.infer<typeof LoopNodeSchema>;
export type ApprovalNode = z.infer<typeof ApprovalNodeSchema>;
export type TransformNode = z.infer<typeof TransformNodeSchema>;
export type SubworkflowNode = z.infer<typeof SubworkflowNodeSchema>;
export type WaitNode = z.infer<typeof WaitNodeSchema>;
export type EmitNode = z.infer<typeof EmitNodeSchema>;
