import { z } from 'zod';
import { actorField, countParam, listParam, seqParam } from './request-fields.js';
import { WorkflowDocumentBodySchema, WorkflowRefSchema } from './workflows.js';

/*
 * What the run routes of the HTTP API accept (`/api/v1/runs…`, see docs/api.md): starting runs, listing and
 * reading them, their event log, and the operator controls. Inputs and workflow documents are validated by
 * Baton; these schemas check only the shape of a request around them.
 */

/** How many runs a page lists without `limit`, and the most it lists. */
export const DEFAULT_RUNS_PER_PAGE = 50;
export const MAX_RUNS_PER_PAGE = 500;
/** The most events one `GET /runs/:id/events` answers with; `next` continues after them. */
export const MAX_EVENTS_PER_REQUEST = 10_000;

/**
 * Where a run is in its life, as the API carries it. The same values as `RunStatus` of `@baton/core`, which
 * this package may not import; the server's tests keep the two equal.
 */
export const WireRunStatusSchema = z.enum([
  'queued',
  'running',
  'paused',
  'waiting',
  'rolling_back',
  'completed',
  'failed',
  'cancelled',
  'rolled_back',
  'rollback_failed',
]);
export type WireRunStatus = z.infer<typeof WireRunStatusSchema>;

/** A run id as a path names it. */
const runId = z.string().min(1).max(200);
/** A task key (`review[2].score`): the node id prefixed by the loop iterations it sits in. */
const taskKey = z.string().min(1).max(500);
const reason = z.string().max(2_000);
const record = (what: string) =>
  z.record(z.string(), z.unknown(), { error: `${what} must be a JSON object` });

/** `:id` of `/runs/:id…`. */
export const RunIdParamsSchema = z.strictObject({ id: runId });
export type RunIdParams = z.infer<typeof RunIdParamsSchema>;

/** `:id` and `:taskKey` of `/runs/:id/tasks/:taskKey…`; a key with brackets travels URL-encoded. */
export const RunTaskParamsSchema = z.strictObject({ id: runId, taskKey });
export type RunTaskParams = z.infer<typeof RunTaskParamsSchema>;

/**
 * The body of `POST /api/v1/runs`: the workflow — a document, or `{ id, version? }` of a saved one — its input,
 * and the options of the run. `workflow` parses to `{ document }` or `{ saved }`, so the server tells them apart
 * without guessing.
 */
export const StartRunBodySchema = z.strictObject(
  {
    workflow: z.union(
      [
        WorkflowRefSchema.transform((saved) => ({ saved })),
        WorkflowDocumentBodySchema.transform((document) => ({ document })),
      ],
      { error: 'must be a workflow document, or { "id", "version"? } of a saved workflow' },
    ),
    /** Checked against the workflow's `inputs` schema (422 `DEFINITION_INVALID` with one problem per violation). */
    input: record('the input').default({}),
    /** 0–100, higher first; the workflow's `policies.priority` by default. */
    priority: z.int().min(0).max(100).optional(),
    /** Free-form labels; names starting with `baton.` are Baton's own. */
    labels: z
      .record(
        z
          .string()
          .min(1)
          .max(100)
          .refine((name) => !name.startsWith('baton.'), {
            message: 'label names starting "baton." are reserved',
          }),
        z.string().max(1_000),
      )
      .optional(),
    /** The org the run belongs to; its limits apply. */
    org: z.string().min(1).max(200).optional(),
    /** Hold every agent task until `POST /runs/:id/step` dispatches it. */
    stepThrough: z.boolean().optional(),
    /** A run id of the caller's choosing; starting a second run with it is refused (409). */
    runId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, {
        message:
          'must be letters, digits, "_", ".", ":" or "-" (at most 128), starting with a letter or digit',
      })
      .optional(),
  },
  { error: 'the body must be a JSON object: { "workflow": …, "input"?: {…} }' },
);
export type StartRunBody = z.infer<typeof StartRunBodySchema>;

/** Where a page of runs ends: the `createdAt` and id of its last run, as `next` carries it. */
export interface RunCursor {
  createdAt: number;
  id: string;
}

/**
 * The `next` of a page of runs, to pass back as `before`: `<createdAt>.<id>`. Clients treat it as opaque; it is
 * plain text (not base64) so that this package needs nothing beyond what browsers have.
 */
export function encodeRunCursor(cursor: RunCursor): string {
  return `${cursor.createdAt}.${cursor.id}`;
}

/** Reads a `before` cursor; undefined when it is not one `encodeRunCursor` wrote. */
export function decodeRunCursor(text: string): RunCursor | undefined {
  const match = /^(\d{1,15})\.(.{1,200})$/s.exec(text);
  return match ? { createdAt: Number(match[1]), id: match[2]! } : undefined;
}

/** The query of `GET /api/v1/runs`: newest first, keyset-paginated by the `next` of the previous page. */
export const RunListQuerySchema = z.strictObject({
  /** Statuses to include, repeated or a comma list; every status by default. */
  status: listParam.pipe(z.array(WireRunStatusSchema)).optional(),
  workflowId: z.string().min(1).max(200).optional(),
  limit: countParam(MAX_RUNS_PER_PAGE).default(DEFAULT_RUNS_PER_PAGE),
  /** The `next` of the previous page. */
  before: z
    .string()
    .max(400)
    .transform((text, ctx) => {
      const cursor = decodeRunCursor(text);
      if (!cursor) ctx.addIssue({ code: 'custom', message: 'is not a cursor: pass the `next` of a page' });
      return cursor ?? z.NEVER;
    })
    .optional(),
});
export type RunListQuery = z.infer<typeof RunListQuerySchema>;

/** The query of `GET /runs/:id/events`: the events after `after` (default 0: from the first), at most `limit`. */
export const RunEventsQuerySchema = z.strictObject({
  after: seqParam.default(0),
  limit: countParam(MAX_EVENTS_PER_REQUEST).default(MAX_EVENTS_PER_REQUEST),
});
export type RunEventsQuery = z.infer<typeof RunEventsQuerySchema>;

/** The query of `GET /runs/:id/events/stream`; a `Last-Event-ID` header, when sent, wins over `after`. */
export const RunEventStreamQuerySchema = z.strictObject({ after: seqParam.optional() });
export type RunEventStreamQuery = z.infer<typeof RunEventStreamQuerySchema>;

/** The `Last-Event-ID` header a reconnecting event stream sends: the seq of the last event it received. */
export const LastEventIdSchema = seqParam;

/** The body of `pause`, `resume`, `cancel`, `rollback` and a task's `retry`: who acts and why, both optional. */
export const OperatorActBodySchema = z
  .strictObject({ by: actorField.optional(), reason: reason.optional() })
  .default({});
export type OperatorActBody = z.infer<typeof OperatorActBodySchema>;

/** The body of `POST /runs/:id/step`: who dispatches the next held task. */
export const StepRunBodySchema = z.strictObject({ by: actorField.optional() }).default({});
export type StepRunBody = z.infer<typeof StepRunBodySchema>;

/** The body of a task's `skip`: the output to settle it with, as if its agent had returned it (`null` if left out). */
export const SkipTaskBodySchema = z
  .strictObject({ output: z.json().optional(), by: actorField.optional(), reason: reason.optional() })
  .default({});
export type SkipTaskBody = z.infer<typeof SkipTaskBodySchema>;

/** The body of `POST /runs/:id/vars`: workflow variables to set on a paused run. */
export const SetVarsBodySchema = z.strictObject({
  vars: record('vars'),
  by: actorField.optional(),
  reason: reason.optional(),
});
export type SetVarsBody = z.infer<typeof SetVarsBodySchema>;

/** The body of a task's `input`: fields laid over the inputs of an agent task that has not started. */
export const EditTaskInputBodySchema = z.strictObject({
  input: record('input'),
  by: actorField.optional(),
  reason: reason.optional(),
});
export type EditTaskInputBody = z.infer<typeof EditTaskInputBodySchema>;

/** The body of `POST /runs/:id/fork`: the node to run again (with everything downstream), and input changes. */
export const ForkRunBodySchema = z.strictObject({
  from: z.string().min(1).max(200),
  /** Laid over the original run's input. */
  input: record('input').optional(),
  stepThrough: z.boolean().optional(),
  priority: z.int().min(0).max(100).optional(),
});
export type ForkRunBody = z.infer<typeof ForkRunBodySchema>;
