import type { z } from 'zod';

/** The groups the operations of the document are listed under. */
export type ApiTag = 'agents' | 'workflows' | 'runs' | 'approvals' | 'meta';

/** An HTTP method the API serves. */
export type ApiMethod = 'get' | 'post' | 'put';

/**
 * One route of the HTTP API as the OpenAPI document describes it. The schemas are the ones the route parses
 * its request with (`parseRequest`); the error statuses every route shares (400 for a malformed request, 401,
 * 413 and 415 for a body, 500) are added by the document, so `errors` lists only what this route adds.
 */
export interface ApiOperation {
  method: ApiMethod;
  /** The full path, parameters in OpenAPI's `{name}` style. */
  path: string;
  /** Unique across the API: what client generators name the call after. */
  operationId: string;
  summary: string;
  tag: ApiTag;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Each status a success answers with, and what its body holds. */
  responses: Readonly<Record<number, string>>;
  /** The success answer is a stream of Server-Sent Events, not JSON. */
  eventStream?: true;
  /** The error statuses this route answers with beyond the shared ones, each with an `ErrorBody`. */
  errors: readonly number[];
}

/** An operator control on a run or one of its tasks, or an answer to a task: it answers the run as it is now. */
export function control(
  path: string,
  operationId: string,
  summary: string,
  tag: ApiTag,
  params: z.ZodType,
  body: z.ZodType,
): ApiOperation {
  return {
    method: 'post',
    path: `/api/v1/runs/{id}${path}`,
    operationId,
    summary,
    tag,
    params,
    body,
    responses: { 200: '`{ run }`: the run as it is once the request applied' },
    errors: [404, 409],
  };
}
