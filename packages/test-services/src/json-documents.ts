import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A throwaway HTTP server on 127.0.0.1 that answers GETs of fixed JSON documents. */
export interface JsonDocumentServer {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** `host:port`, as an egress allow-list names it. */
  readonly host: string;
  close(): Promise<void>;
}

/**
 * Serves each document at its path (e.g. an A2A agent card at `/.well-known/agent-card.json`) and 404 for any
 * other path, on an ephemeral loopback port.
 */
export async function serveJsonDocuments(
  documents: Readonly<Record<string, unknown>>,
): Promise<JsonDocumentServer> {
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '';
    if (Object.hasOwn(documents, path)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(documents[path]));
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base: `http://${host}`,
    host,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
