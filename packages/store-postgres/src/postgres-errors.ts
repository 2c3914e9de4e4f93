import { BatonError, ConflictError, NotFoundError, StorageError } from '@baton/core';

/** The fields of the driver's `DatabaseError` we read, kept local so the driver's types stop at this file's edge. */
interface ServerError {
  message: string;
  /** The SQLSTATE, e.g. `23505`. */
  code: string;
  detail?: string;
  constraint?: string;
}

/**
 * Whether the server answered with an error. The connection is still good after one; after any other failure
 * (socket, protocol) it is not and must be discarded. SQLSTATEs are five characters; node's system errors
 * (`ECONNREFUSED`) are longer.
 */
export function isServerError(error: unknown): error is Error & ServerError {
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * The server a URL points at, for messages: `host:port/database`, never the user or password.
 */
export function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `${host}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured PostgreSQL server';
  }
}

/** Node system errors on the socket, also inside the `AggregateError` of a connect to several addresses. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
]);

function networkCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = networkCode(inner);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** What the driver says when a connection drops or cannot be made in time; it gives these no code. */
const CONNECTION_LOST = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];
const CLOSED = ['Cannot use a pool after calling end', 'Client was closed and is not queryable'];

/** `Key (run_id, seq)=(run_1, 7) already exists.` → `['run_1', '7']`; the run id may itself hold commas. */
function keyValues(detail: string | undefined, count: number): string[] | undefined {
  const match = /\)=\((.*)\)/.exec(detail ?? '');
  if (match?.[1] === undefined) return undefined;
  if (count === 1) return [match[1]];
  const last = match[1].lastIndexOf(', ');
  return last < 0 ? undefined : [match[1].slice(0, last), match[1].slice(last + 2)];
}

/**
 * Turns whatever the driver threw into the Baton error that names the cause, so no driver error leaves the
 * adapter (STYLE: drivers stay behind the adapter). `where` names the server without credentials
 * (`host:port/database`); `doing` says what was attempted. Baton errors pass through unchanged.
 */
export function toStoreError(error: unknown, where: string, doing: string): BatonError {
  if (error instanceof BatonError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (!isServerError(error)) {
    const network = networkCode(error);
    if (network !== undefined || CONNECTION_LOST.some((text) => message.includes(text))) {
      return new StorageError(
        `${doing} failed: cannot reach PostgreSQL at ${where} (${network ?? message}); check that the server is running and the URL is right`,
        { cause: error, retryable: true, ...(network === undefined ? {} : { details: { code: network } }) },
      );
    }
    if (CLOSED.some((text) => message.includes(text))) {
      return new StorageError(`the store for ${where} is closed`, { cause: error });
    }
    return new StorageError(`${doing} failed on ${where}: ${message}`, { cause: error });
  }

  const { code, detail, constraint } = error;
  const cause = { cause: error, details: { sqlState: code } };
  if (code === '23505') {
    if (constraint === 'events_pkey') {
      const [runId, seq] = keyValues(detail, 2) ?? [];
      return new ConflictError(`run "${runId}" already has an event with seq ${seq}`, cause);
    }
    if (constraint === 'runs_pkey') {
      return new ConflictError(`run "${keyValues(detail, 1)?.[0]}" already exists`, cause);
    }
    return new ConflictError(`${doing}: ${message}`, cause);
  }
  if (code === '23503' || code === 'P0002') {
    const runId = code === 'P0002' ? detail : keyValues(detail, 1)?.[0];
    return new NotFoundError(`run "${runId}" does not exist; create it before committing to it`, cause);
  }
  if (code === '40001' || code === '40P01' || code === '55P03' || code === '57014') {
    return new StorageError(`${doing} failed on ${where}: ${message}; try again`, {
      ...cause,
      retryable: true,
    });
  }
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') {
    return new StorageError(
      `${doing} failed: PostgreSQL at ${where} is unavailable (${message}); check that the server is running`,
      { ...cause, retryable: true },
    );
  }
  if (code === '53100') {
    return new StorageError(`the disk of the PostgreSQL server at ${where} is full (${message})`, cause);
  }
  if (code.startsWith('53')) {
    return new StorageError(`the PostgreSQL server at ${where} is out of resources (${message})`, {
      ...cause,
      retryable: true,
    });
  }
  if (code.startsWith('28')) {
    return new StorageError(
      `cannot log in to PostgreSQL at ${where} (${message}); check the user and password`,
      cause,
    );
  }
  if (code === '3D000') {
    return new StorageError(`${message} on the server at ${where}; create it or fix the URL`, cause);
  }
  if (code === '42501') {
    return new StorageError(
      `${doing} failed on ${where}: ${message}; grant the database user the privilege or use a database it owns`,
      cause,
    );
  }
  return new StorageError(`${doing} failed on ${where}: ${message} (SQLSTATE ${code})`, cause);
}
