import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { BatonError } from '@baton/core';
import { bindingProblem } from './api-binding.js';
import { createServer, type CreateServerOptions } from './create-server.js';

/** Options of {@link listenApi}: the server's, and where to listen. */
export interface ListenApiOptions extends CreateServerOptions {
  /** An address or host name; a non-loopback one needs `apiToken`. */
  host: string;
  /** `0` picks a free port; `url` tells which. */
  port: number;
}

/** The API, listening. */
export interface ApiListener {
  app: FastifyInstance;
  /** Where it listens, e.g. `http://127.0.0.1:7400`. */
  url: string;
  /** Stops taking requests, lets those in flight finish, and closes the sockets. The Baton stays open. */
  close(): Promise<void>;
}

/**
 * Serves the API over HTTP. Refuses (`USAGE`) a host other machines can reach when no token guards it, and a
 * token too short to guard anything.
 */
export async function listenApi(options: ListenApiOptions): Promise<ApiListener> {
  const problem = bindingProblem(options.host, options.apiToken);
  if (problem !== undefined) throw new BatonError('USAGE', problem);
  const app = createServer(options);
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { address, family, port } = app.server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
