import { z } from 'zod';

/** One problem in a submitted document, as the API returns it. */
export const ProblemBodySchema = z.object({
  code: z.string(),
  path: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
});
export type ProblemBody = z.infer<typeof ProblemBodySchema>;

/**
 * The body of every error response: a stable machine-readable `code` (see docs/errors.md), a message for
 * people, and for invalid documents every problem found.
 */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
    problems: z.array(ProblemBodySchema).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
