import { z } from 'zod';
import { AgentIdSchema, IdSchema, JsonSchemaSchema, SemverSchema } from './common-schema.js';

/** The business domains of the spec's agent catalog (FR-019.1). */
export const DomainSchema = z.enum(['sales', 'legal', 'engineering', 'finance', 'operations', 'marketing']);
export type Domain = z.infer<typeof DomainSchema>;

/** The kinds of agent runtime Baton ships; `function` agents are TypeScript functions given to `createBaton`. */
export const AgentKindSchema = z
  .enum(['builtin', 'function', 'llm', 'http', 'a2a', 'mcp', 'script', 'workflow'])
  .meta({ description: '"function": a TypeScript function registered through the embedded SDK.' });
export type AgentKind = z.infer<typeof AgentKindSchema>;

/** The lifecycle states of an agent version. `offline` agents are never dispatched. */
export const AgentStatusSchema = z.enum(['active', 'beta', 'deprecated', 'offline']);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

const TimestampSchema = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 date-time.' });

/** The agent that replaces a deprecated one: an id (its newest version), or `id@version` to name one version. */
const ReplacementSchema = z
  .string()
  .max(300)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*(@(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)?$/,
    { message: 'must be an agent id or id@version, e.g. "acme.writer" or "acme.writer@2.0.0"' },
  )
  .meta({
    description: 'The agent that replaces this one: an id, or id@version such as "acme.writer@2.0.0".',
  });

/**
 * The spec's `AgentDefinition` (FR-019.1), plus `kind`, `settings` for the kind's runtime, and JSON Schemas
 * of the agent's input and output. `performance` holds the *declared* figures; measured ones are kept apart.
 */
export const AgentDefinitionSchema = z
  .object({
    id: AgentIdSchema,
    name: z.string().min(1),
    version: SemverSchema,
    description: z.string().default(''),
    kind: AgentKindSchema,
    capabilities: z.object({
      domain: DomainSchema,
      skills: z.array(IdSchema).min(1).meta({ description: 'e.g. ["contract_review", "compliance_check"]' }),
      inputTypes: z
        .array(z.string().min(1))
        .default([])
        .meta({ description: 'e.g. ["text", "pdf", "json"]' }),
      outputTypes: z.array(z.string().min(1)).default([]).meta({ description: 'e.g. ["text", "report"]' }),
    }),
    performance: z.object({
      avgLatency: z.number().min(0).meta({ description: 'Milliseconds.' }),
      successRate: z.number().min(0).max(100).meta({ description: 'Percent, 0-100.' }),
      throughput: z.number().min(0).meta({ description: 'Tasks per hour.' }),
      costPerExecution: z.number().min(0).meta({ description: 'USD.' }),
      reliability: z.number().min(0).max(100).meta({ description: 'Percent, 0-100.' }),
    }),
    config: z.object({
      maxConcurrency: z.int().min(1),
      timeout: z.int().min(1).meta({ description: 'Milliseconds.' }),
      retryPolicy: z.object({
        maxRetries: z.int().min(0).max(100),
        backoff: z.enum(['exponential', 'linear']),
      }),
      requiredInputs: z.array(z.string()).default([]),
      optionalInputs: z.array(z.string()).default([]),
    }),
    inputSchema: JsonSchemaSchema.optional(),
    outputSchema: JsonSchemaSchema.optional(),
    settings: z.record(z.string(), z.unknown()).optional().meta({
      description: 'Settings of the agent kind, e.g. the URL of an http agent or the model of an llm one.',
    }),
    status: AgentStatusSchema.default('active'),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    deprecatedAt: TimestampSchema.optional(),
    replacedBy: ReplacementSchema.optional(),
  })
  .meta({ id: 'AgentDefinition', title: 'Baton agent definition' });

/** An agent definition after parsing: defaults applied. */
export type AgentDefinition = z.infer<typeof AgentDefinitionSchema>;
/** An agent definition as written: fields with defaults may be left out. */
export type AgentDefinitionInput = z.input<typeof AgentDefinitionSchema>;
