import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledError, ForbiddenError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rejection } from '../samples.test.fixtures.js';
import { EgressGuard } from './egress-guard.js';
import { batonCause, guardedFetch } from './guarded-fetch.js';

let bigClosed = false;

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/headers': (req, res) => res.end(JSON.stringify(req.headers)),
  '/big': (_req, res) => {
    // Never ends by itself: only a reader that stops reading ends it.
    const chunk = 'x'.repeat(16 * 1024);
    res.on('close', () => (bigClosed = true));
    const write = (): void => {
      if (res.write(chunk)) setImmediate(write);
      else res.once('drain', write);
    };
    write();
  },
  '/broken': (req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('only part');
    setTimeout(() => req.socket.destroy(), 10);
  },
  '/busy': (_req, res) => {
    res.writeHead(429, { 'retry-after': '5' });
    res.end('slow down');
  },
  '/empty': (_req, res) => {
    res.writeHead(204);
    res.end();
  },
  '/hang': () => undefined,
};

describe('guardedFetch', () => {
  let server: Server;
  let base: string;
  let guard: EgressGuard;

  beforeAll(async () => {
    server = createServer((req, res) => routes[req.url ?? '']?.(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    guard = new EgressGuard({ allow: [new URL(base).host] });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a destination the guard refuses, before connecting', async () => {
    const strict = guardedFetch({ guard: new EgressGuard() });
    const error = await rejection(strict(`${base}/headers`));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ details: { reason: 'EGRESS_DENIED', range: 'loopback' } });
  });

  it('adds the default headers a request does not set itself', async () => {
    const fetch = guardedFetch({ guard, headers: { Authorization: 'Bearer t0ken', 'X-Tenant': 'acme' } });
    const response = await fetch(`${base}/headers`, { headers: { 'x-tenant': 'own' } });
    expect(await response.json()).toMatchObject({ authorization: 'Bearer t0ken', 'x-tenant': 'own' });
  });

  it('fails a body over the cap without retry, and stops reading it', async () => {
    const response = await guardedFetch({ guard, maxResponseBytes: 100_000 })(`${base}/big`);
    const error = await rejection(response.text());
    expect(batonCause(error)).toMatchObject({ retryable: false, details: { maxResponseBytes: 100_000 } });
    await vi.waitFor(() => expect(bigClosed).toBe(true));
  });

  it('makes a body that broke off a retryable error', async () => {
    const response = await guardedFetch({ guard })(`${base}/broken`);
    const error = await rejection(response.text());
    expect(batonCause(error)).toMatchObject({ code: 'AGENT_FAILED', retryable: true });
    expect(batonCause(error)?.message).toContain('broke off');
  });

  it('returns 408, 429 and 5xx answers, or rejects them as retryable when asked to', async () => {
    expect((await guardedFetch({ guard })(`${base}/busy`)).status).toBe(429);
    const error = await rejection(guardedFetch({ guard, rejectRetryableStatuses: true })(`${base}/busy`));
    expect(error).toMatchObject({ retryable: true, details: { status: 429, retryAfter: '5' } });
  });

  it('gives no body for a status that has none', async () => {
    const response = await guardedFetch({ guard })(`${base}/empty`);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it("rejects with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    const pending = guardedFetch({ guard })(`${base}/hang`, { signal: controller.signal });
    const reason = new CancelledError('run cancelled');
    setTimeout(() => controller.abort(reason), 20);
    expect(await rejection(pending)).toBe(reason);
  });
});
