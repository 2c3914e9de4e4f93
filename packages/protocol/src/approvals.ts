import { z } from 'zod';
import { actorField } from './request-fields.js';

/*
 * What the approval routes of the HTTP API accept (`/api/v1/approvals`, and a run task's `decision` and `reply`;
 * see docs/api.md). Whether a decision is one the task takes is Baton's to say (409 with the options).
 */

/** The query of `GET /api/v1/approvals`: both filters optional, both must hold. */
export const ApprovalsQuerySchema = z.strictObject({
  /** Exactly as the workflow names it: a user id, or `role:<name>` (`operators` for escalations by default). */
  assignee: z.string().min(1).max(200).optional(),
  runId: z.string().min(1).max(200).optional(),
});
export type ApprovalsQuery = z.infer<typeof ApprovalsQuerySchema>;

const comment = z.string().max(2_000);

/**
 * The body of `POST /runs/:id/tasks/:taskKey/decision`: one of the options the request offered — an approval's
 * (`approved`, `rejected`, …), or `retry`, `skip`, `abort` for an escalated failure.
 */
export const DecisionBodySchema = z.strictObject({
  decision: z.string().min(1).max(200),
  by: actorField.optional(),
  comment: comment.optional(),
});
export type DecisionBody = z.infer<typeof DecisionBodySchema>;

/** The body of `POST /runs/:id/tasks/:taskKey/reply`: the answer to an agent's question, text or any JSON. */
export const ReplyBodySchema = z.strictObject({
  reply: z.json(),
  by: actorField.optional(),
  comment: comment.optional(),
});
export type ReplyBody = z.infer<typeof ReplyBodySchema>;
