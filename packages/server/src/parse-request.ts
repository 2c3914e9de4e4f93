import type { z } from 'zod';
import type { ProblemBody } from '@baton/protocol';
import { ApiError } from './api-error.js';

/** The part of a request a value came from; it prefixes the paths of the problems found in it. */
export type RequestPart = 'body' | 'query' | 'params';

/**
 * Parses one part of a request with its schema from `@baton/protocol`, or refuses the request with
 * `INVALID_REQUEST` and one problem per wrong field (`query.limit`, `body.agents[0]`), in the vocabulary of
 * docs/validation.md.
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) => problemsOf(issue, part));
  const shown = problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
  throw new ApiError(400, 'INVALID_REQUEST', `invalid request ${part}: ${shown.join('; ')}${more}`, problems);
}

function problemsOf(issue: z.core.$ZodIssue, part: RequestPart): ProblemBody[] {
  const at = (path: readonly PropertyKey[]): string => pathText([part, ...issue.path, ...path]);
  // Any rule broken by nothing at all (a required field left out) reads as one missing field.
  if (issue.input === undefined && issue.code !== 'unrecognized_keys' && issue.code !== 'custom') {
    return [{ code: 'MISSING_FIELD', path: at([]), message: 'is required', severity: 'error' }];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        code: 'UNKNOWN_FIELD',
        path: at([key]),
        message: `unknown ${part === 'query' ? 'parameter' : 'field'} "${key}"`,
        severity: 'error',
      }));
    case 'invalid_type':
      return [{ code: 'WRONG_TYPE', path: at([]), message: issue.message, severity: 'error' }];
    default:
      return [{ code: 'INVALID_VALUE', path: at([]), message: issue.message, severity: 'error' }];
  }
}

/** `['body', 'agents', 0, 'id']` → `body.agents[0].id`. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}
