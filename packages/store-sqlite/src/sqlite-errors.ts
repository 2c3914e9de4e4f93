import { dirname } from 'node:path';
import { BatonError, ConflictError, NotFoundError, StorageError } from '@baton/core';

/** The shape of the driver's `SqliteError`, kept local so the driver's types stop at this file's edge. */
interface DriverError {
  message: string;
  code: string;
}

function isDriverError(error: unknown): error is DriverError {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/**
 * Turns whatever the driver threw into the Baton error that names the cause, so no driver error leaves the
 * adapter (STYLE: drivers stay behind the adapter). `file` is the database path; `doing` says what was
 * attempted, for the message. Baton errors pass through unchanged.
 */
export function toStoreError(error: unknown, file: string, doing: string): BatonError {
  if (error instanceof BatonError) return error;
  if (!isDriverError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('directory does not exist')) {
      return new StorageError(
        `cannot open ${file}: the directory ${dirname(file)} does not exist; create it or choose another path`,
        { cause: error },
      );
    }
    if (message.includes('connection is not open')) {
      return new StorageError(`the store for ${file} is closed`, { cause: error });
    }
    return new StorageError(`${doing} failed on ${file}: ${message}`, { cause: error });
  }
  const { code, message } = error;
  const cause = { cause: error, details: { sqliteCode: code } };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StorageError(
      `the data file ${file} is locked by another process (${message}); stop the other Baton process or give this one its own file`,
      { ...cause, retryable: true },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StorageError(`${file} is not a Baton database or is corrupt: ${message}`, cause);
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new ConflictError(`${doing}: ${message}`, cause);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new NotFoundError(`${doing}: a row refers to a run that does not exist`, cause);
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new StorageError(`the disk holding ${file} is full (${message}); free some space`, cause);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    return new StorageError(`${file} cannot be written (${message}); check its permissions`, cause);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new StorageError(
      `cannot open ${file} (${message}); check that its directory exists and is writable`,
      cause,
    );
  }
  return new StorageError(`${doing} failed on ${file}: ${message} (${code})`, cause);
}
