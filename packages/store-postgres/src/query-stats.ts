/**
 * What a `PostgresStore` has sent and received since it opened, for benchmarks to report round trips and bytes
 * per step. Counters only grow: take a snapshot before and after and subtract.
 */
export interface PostgresStoreStats {
  /** Statements sent; each waits for its answer, so each is one round trip to the server. */
  roundTrips: number;
  /** Bytes written to the server's sockets, protocol framing included. */
  bytesSent: number;
  /** Bytes read from the server's sockets. */
  bytesReceived: number;
  /** `commit` and `createRun` calls that wrote something. */
  commits: number;
  /** The part of the three counters above spent by those calls. */
  commitRoundTrips: number;
  commitBytesSent: number;
  commitBytesReceived: number;
  /** Connections the pool opened (reconnects after a server restart included). */
  connections: number;
}

/** The socket counters of a driver connection, read through a minimal local type (STYLE: drivers stay behind). */
interface SocketCounters {
  bytesWritten: number;
  bytesRead: number;
}

function socketOf(client: object): SocketCounters | undefined {
  const stream: unknown = (client as { connection?: { stream?: unknown } }).connection?.stream;
  if (typeof stream !== 'object' || stream === null) return undefined;
  const { bytesWritten, bytesRead } = stream as Partial<SocketCounters>;
  return typeof bytesWritten === 'number' && typeof bytesRead === 'number'
    ? (stream as SocketCounters)
    : undefined;
}

/** Counts the round trips and bytes of every statement the store sends. */
export class QueryStats {
  readonly #stats: PostgresStoreStats = {
    roundTrips: 0,
    bytesSent: 0,
    bytesReceived: 0,
    commits: 0,
    commitRoundTrips: 0,
    commitBytesSent: 0,
    commitBytesReceived: 0,
    connections: 0,
  };

  /** A copy of the counters. */
  snapshot(): PostgresStoreStats {
    return { ...this.#stats };
  }

  connected(): void {
    this.#stats.connections++;
  }

  /**
   * Runs one statement on `client` and counts it. A connection runs one statement at a time, so the change of
   * its socket's counters across the call is exactly that statement's traffic. `commit` marks the statements of
   * a commit, which are also counted apart.
   */
  async measure<T>(client: object, send: () => Promise<T>, commit = false): Promise<T> {
    const socket = socketOf(client);
    const sentBefore = socket?.bytesWritten ?? 0;
    const readBefore = socket?.bytesRead ?? 0;
    try {
      return await send();
    } finally {
      const sent = (socket?.bytesWritten ?? 0) - sentBefore;
      const read = (socket?.bytesRead ?? 0) - readBefore;
      const stats = this.#stats;
      stats.roundTrips++;
      stats.bytesSent += sent;
      stats.bytesReceived += read;
      if (commit) {
        stats.commitRoundTrips++;
        stats.commitBytesSent += sent;
        stats.commitBytesReceived += read;
      }
    }
  }

  /** Counts one commit call that reached the server. */
  committed(): void {
    this.#stats.commits++;
  }
}
