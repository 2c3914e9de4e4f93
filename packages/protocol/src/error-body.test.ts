import { describe, expect, it } from 'vitest';
import { ErrorBodySchema } from './error-body.js';

describe('ErrorBodySchema', () => {
  it('accepts an invalid-definition error with its problems', () => {
    const body = {
      error: {
        code: 'DEFINITION_INVALID',
        message: 'workflow "x" is invalid: 1 problem',
        retryable: false,
        problems: [
          { code: 'UNKNOWN_NODE', path: 'edges[0].to', message: 'unknown node "b"', severity: 'error' },
        ],
      },
    };
    expect(ErrorBodySchema.parse(body)).toEqual(body);
  });

  it('rejects a body without a code', () => {
    expect(ErrorBodySchema.safeParse({ error: { message: 'x', retryable: false } }).success).toBe(false);
  });
});
