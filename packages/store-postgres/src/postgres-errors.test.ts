import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, StorageError } from '@baton/core';
import { describeServer, toStoreError } from './postgres-errors.js';

/** An error shaped like the driver's `DatabaseError`. */
function serverError(
  code: string,
  message: string,
  extra: { detail?: string; constraint?: string } = {},
): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

describe('toStoreError', () => {
  it('passes Baton errors through', () => {
    const error = new ConflictError('x');
    expect(toStoreError(error, 'db', 'committing')).toBe(error);
  });

  it('makes an unreachable server a retryable storage error, also behind an AggregateError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    for (const error of [
      refused,
      new AggregateError([refused]),
      new Error('Connection terminated unexpectedly'),
    ]) {
      const mapped = toStoreError(error, 'db:5432/baton', 'committing');
      expect(mapped).toBeInstanceOf(StorageError);
      expect(mapped.retryable).toBe(true);
      expect(mapped.message).toContain('cannot reach PostgreSQL at db:5432/baton');
    }
  });

  it('reads the run and seq of a duplicate event from the key in the detail', () => {
    const error = serverError('23505', 'duplicate key value violates unique constraint "events_pkey"', {
      constraint: 'events_pkey',
      detail: 'Key (run_id, seq)=(run, 1, 7) already exists.',
    });
    const mapped = toStoreError(error, 'db', 'committing');
    expect(mapped).toBeInstanceOf(ConflictError);
    expect(mapped.message).toBe('run "run, 1" already has an event with seq 7');
    expect(mapped.details).toEqual({ sqlState: '23505' });
  });

  it('reads the missing run of a foreign key violation', () => {
    const error = serverError('23503', 'insert or update on table "tasks" violates foreign key constraint', {
      detail: 'Key (run_id)=(ghost) is not present in table "runs".',
    });
    const mapped = toStoreError(error, 'db', 'committing');
    expect(mapped).toBeInstanceOf(NotFoundError);
    expect(mapped.message).toBe('run "ghost" does not exist; create it before committing to it');
  });

  it('marks serialization failures and a shutting-down server as retryable', () => {
    expect(toStoreError(serverError('40001', 'could not serialize'), 'db', 'claiming runs').retryable).toBe(
      true,
    );
    expect(toStoreError(serverError('57P01', 'terminating connection'), 'db', 'committing').retryable).toBe(
      true,
    );
    expect(toStoreError(serverError('42P01', 'relation "x" does not exist'), 'db', 'reading').retryable).toBe(
      false,
    );
  });

  it('names the SQLSTATE of anything else', () => {
    expect(toStoreError(serverError('XX000', 'internal error'), 'db', 'reading a run').message).toBe(
      'reading a run failed on db: internal error (SQLSTATE XX000)',
    );
  });
});

describe('describeServer', () => {
  it('names host, port and database, never the credentials', () => {
    expect(describeServer('postgres://baton:secret@db.internal:6432/prod?sslmode=require')).toBe(
      'db.internal:6432/prod',
    );
    expect(describeServer('postgresql://localhost/baton')).toBe('localhost:5432/baton');
    expect(describeServer('not a url')).toBe('the configured PostgreSQL server');
  });
});
