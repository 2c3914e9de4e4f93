import { z } from 'zod';

/**
 * Building blocks shared by the workflow and agent formats. These zod schemas are the single source of truth:
 * the TypeScript types are inferred from them and `docs/workflow.schema.json` is generated from them.
 */

/** An identifier that is safe in URLs, file names and expressions: `extract`, `draft_pricing`, `legal-review`. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, {
    message:
      'must start with a letter or underscore and contain only letters, digits, "_" and "-" (at most 128)',
  })
  .meta({ description: 'Identifier: a letter or "_" first, then letters, digits, "_" or "-".' });

/** An agent id may be namespaced with dots: `builtin.summarizer`, `acme.legal.contract-review`. */
export const AgentIdSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/, {
    message: 'must be dot-separated identifiers, e.g. "builtin.summarizer"',
  })
  .max(200)
  .meta({ description: 'Agent id, dot-separated identifiers such as "builtin.summarizer".' });

/** A semantic version `MAJOR.MINOR.PATCH` with optional pre-release and build parts. */
export const SemverSchema = z
  .string()
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, {
    message: 'must be a semantic version such as "1.2.0"',
  })
  .meta({ description: 'Semantic version, e.g. "1.2.0".' });

/**
 * A JSON Schema (draft 2020-12) describing user data: workflow inputs, agent inputs and outputs.
 * Kept as plain data; Ajv compiles it where data is checked.
 */
export const JsonSchemaSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'A JSON Schema (draft 2020-12) document.', id: 'JsonSchema' });
export type JsonSchema = z.infer<typeof JsonSchemaSchema>;

/** How a failed step is tried again. */
export const RetryPolicySchema = z
  .object({
    maxRetries: z
      .int()
      .min(0)
      .max(100)
      .meta({ description: 'Attempts after the first. 0 disables retries.' }),
    backoff: z.enum(['exponential', 'linear', 'fixed']).default('exponential'),
    initialDelayMs: z.int().min(0).default(1000).meta({ description: 'Delay before the first retry.' }),
    maxDelayMs: z.int().min(0).default(60_000).meta({ description: 'Upper bound of any one delay.' }),
    jitter: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .meta({ description: 'Random spread of each delay as a fraction of it: 0.2 means ±20%.' }),
    retryOn: z
      .array(z.string())
      .optional()
      .meta({ description: 'Error codes that are retried. Absent: every error the agent marks retryable.' }),
  })
  .meta({ id: 'RetryPolicy', description: 'How a failed step is tried again.' });
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** Limits on what one run may consume. */
export const BudgetSchema = z
  .object({
    maxCostUsd: z.number().min(0).optional(),
    maxTasks: z.int().min(1).optional(),
    maxDurationMs: z.int().min(1).optional(),
    onExceeded: z.enum(['fail', 'pause']).default('fail'),
  })
  .meta({ id: 'Budget', description: 'Limits on what one run may consume, and what happens past them.' });
export type Budget = z.infer<typeof BudgetSchema>;

/** Where a node sits on the visual canvas. Ignored by the engine. */
export const PositionSchema = z
  .object({ x: z.number(), y: z.number() })
  .meta({ description: 'Canvas position for the visual builder; the engine ignores it.' });
