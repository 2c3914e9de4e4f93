import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AgentError,
  CancelledError,
  DefinitionError,
  ForbiddenError,
  TimeoutError,
  type AgentDefinition,
} from '@baton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { remoteAgent, runtimesOf, testServerAccess } from '../net/remote-runtimes.test.fixtures.js';
import { invocation, rejection } from '../samples.test.fixtures.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import { HttpAgentRuntime } from './http-agent-runtime.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const json = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
};

const routes: Record<string, Handler> = {
  '/echo': (req, body, res) =>
    json(res, 200, {
      method: req.method,
      input: JSON.parse(body) as unknown,
      idempotencyKey: req.headers['idempotency-key'],
      authorization: req.headers['authorization'] ?? null,
      apiKey: req.headers['x-api-key'] ?? null,
      contentType: req.headers['content-type'],
    }),
  '/problem+json': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/problem+json; charset=utf-8' });
    res.end('{"ok":true}');
  },
  '/no-content': (_req, _body, res) => {
    res.writeHead(204);
    res.end();
  },
  '/html': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>login</html>');
  },
  '/not-json': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"unterminated": ');
  },
  '/proto': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"a":{"\\u005f_proto__":{"polluted":true}}}');
  },
  '/big-streamed': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = `"${'x'.repeat(64 * 1024)}",`;
    res.write('[');
    for (let i = 0; i < 40; i++) res.write(chunk);
    res.end('null]');
  },
  '/big-declared': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
    res.write('[');
  },
  '/hang': () => undefined,
  '/redirect': (_req, _body, res) => {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    res.end();
  },
};

const statusRoute = /^\/status\/(\d{3})$/;

describe('HttpAgentRuntime', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push(req.url ?? '');
        const status = statusRoute.exec(req.url ?? '');
        if (status) {
          const code = Number(status[1]);
          json(
            res,
            code,
            { error: { message: `refused with ${code}` } },
            code === 429 ? { 'retry-after': '7' } : {},
          );
          return;
        }
        const handler = routes[req.url ?? ''];
        if (handler) handler(req, body, res);
        else json(res, 404, { message: 'no such route' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
  });

  const runtime = runtimesOf(HttpAgentRuntime, () => testServerAccess(base));
  const agent = (settings: Record<string, unknown>) => remoteAgent('http', 'acme.scorer', settings);
  const at = (path: string, extra: Record<string, unknown> = {}): AgentDefinition =>
    agent({ endpoint: `${base}${path}`, ...extra });

  it('supports http agents only', () => {
    expect(runtime().supports(at('/echo'))).toBe(true);
    expect(runtime().supports({ ...at('/echo'), kind: 'builtin' })).toBe(false);
  });

  it('POSTs the input as JSON with the idempotency key, and returns the JSON answer', async () => {
    const result = await runtime().invoke(invocation(at('/echo'), { lead: { score: 7 } }, { attempt: 3 }));
    expect(result).toEqual({
      output: {
        method: 'POST',
        input: { lead: { score: 7 } },
        idempotencyKey: 'run-1:task:3',
        authorization: null,
        apiKey: null,
        contentType: 'application/json',
      },
      costUsd: at('/echo').performance.costPerExecution,
    });
  });

  it('sends the auth header built from a secret of the environment', async () => {
    const secrets = new EnvSecretStore({ BATON_SECRET_SCORING_TOKEN: 's3cret' });
    const bearer = await runtime({ secrets }).invoke(
      invocation(at('/echo', { auth: { secret: 'SCORING_TOKEN' } }), {}),
    );
    expect(bearer.output).toMatchObject({ authorization: 'Bearer s3cret' });
    const custom = at('/echo', { auth: { secret: 'scoring_token', header: 'X-Api-Key' } });
    expect((await runtime({ secrets }).invoke(invocation(custom, {}))).output).toMatchObject({
      apiKey: 's3cret',
    });
  });

  it('fails without retry, and without calling, when the secret is not set', async () => {
    const error = await rejection(
      runtime().invoke(invocation(at('/echo', { auth: { secret: 'MISSING' } }), {})),
    );
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ retryable: false, details: { secret: 'MISSING' } });
    expect((error as Error).message).toContain('needs the secret "MISSING"');
    expect(requests).toEqual([]);
  });

  it('accepts +json types and a 204 without a body', async () => {
    expect((await runtime().invoke(invocation(at('/problem+json'), {}))).output).toEqual({ ok: true });
    expect((await runtime().invoke(invocation(at('/no-content'), {}))).output).toBeNull();
  });

  it.each([408, 429, 500, 502, 503, 504])('makes a %i a retryable AgentError', async (status) => {
    const error = await rejection(runtime().invoke(invocation(at(`/status/${status}`), {})));
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ retryable: true, details: { status } });
    expect((error as Error).message).toContain(`answered ${status}`);
    expect((error as Error).message).toContain(`refused with ${status}`);
    if (status === 429) expect(error).toMatchObject({ details: { retryAfter: '7' } });
  });

  it.each([400, 401, 403, 404, 409, 422])(
    'makes a %i a non-retryable AgentError with the body message',
    async (status) => {
      const error = await rejection(runtime().invoke(invocation(at(`/status/${status}`), {})));
      expect(error).toBeInstanceOf(AgentError);
      expect(error).toMatchObject({ retryable: false, details: { status } });
      expect((error as Error).message).toMatch(new RegExp(`answered ${status} .*: refused with ${status}$`));
    },
  );

  it('refuses a 2xx answer that is not JSON', async () => {
    const html = await rejection(runtime().invoke(invocation(at('/html'), {})));
    expect(html).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
    expect((html as Error).message).toContain(
      'answered 200 with text/html; an http agent must answer with a JSON body',
    );
    const broken = await rejection(runtime().invoke(invocation(at('/not-json'), {})));
    expect(broken).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
    expect((broken as Error).message).toContain('a body that is not valid JSON');
  });

  it('refuses a JSON answer with a __proto__ key, in any spelling, and the host stays unpolluted', async () => {
    const error = await rejection(runtime().invoke(invocation(at('/proto'), {})));
    expect((error as Error).message).toContain('"__proto__" key');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a body over the size cap, streamed or declared', async () => {
    const small = runtime({ maxResponseBytes: 256 * 1024 });
    for (const path of ['/big-streamed', '/big-declared']) {
      const error = await rejection(small.invoke(invocation(at(path), {})));
      expect(error, path).toMatchObject({ retryable: false, details: { maxResponseBytes: 256 * 1024 } });
      expect((error as Error).message).toContain('larger than the 262144-byte limit');
    }
  });

  it('does not follow a redirect', async () => {
    const error = await rejection(runtime().invoke(invocation(at('/redirect'), {})));
    expect(error).toMatchObject({ retryable: false, details: { status: 302 } });
    expect((error as Error).message).toContain('redirects are not followed');
  });

  it('stops at the deadline of the invocation signal', async () => {
    const started = Date.now();
    const error = await rejection(
      runtime().invoke(invocation(at('/hang'), {}, { signal: AbortSignal.timeout(150) })),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects with the cancellation reason when aborted mid-call', async () => {
    const controller = new AbortController();
    const pending = runtime().invoke(invocation(at('/hang'), {}, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reason = new CancelledError('run cancelled');
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
  });

  it('refuses 127.0.0.1 unless the operator allow-listed it, before any request', async () => {
    const strict = new HttpAgentRuntime({ secrets: new EnvSecretStore({}) });
    const error = await rejection(strict.invoke(invocation(at('/echo'), {})));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({
      retryable: false,
      details: { reason: 'EGRESS_DENIED', range: 'loopback' },
    });
    expect(requests).toEqual([]);
  });

  it('reports a refused connection as retryable', async () => {
    // A port this test opened and closed again, so nothing listens there.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const { port } = gone.address() as AddressInfo;
    await new Promise((resolve) => gone.close(resolve));
    const closed = new HttpAgentRuntime({ allow: ['127.0.0.1'], secrets: new EnvSecretStore({}) });
    const error = await rejection(
      closed.invoke(invocation(agent({ endpoint: `http://127.0.0.1:${port}/` }), {})),
    );
    expect(error).toMatchObject({ code: 'AGENT_FAILED', retryable: true });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('refuses invalid settings with a DefinitionError naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'settings.endpoint: is required'],
      [{ endpoint: 'ftp://files.example.com/' }, 'settings.endpoint: must be an http or https URL, not ftp:'],
      [{ endpoint: 'https://user:pw@api.example.com/' }, 'settings.endpoint: must not carry credentials'],
      [{ endpoint: `${base}/echo`, auth: { secret: 'a-b' } }, 'settings.auth.secret: must be a secret name'],
      [
        { endpoint: `${base}/echo`, auth: { secret: 'A', header: 'Host' } },
        'settings.auth.header: is a header',
      ],
      [{ endpoint: `${base}/echo`, endpont: 'typo' }, 'settings.endpont: unknown field'],
    ];
    for (const [settings, message] of cases) {
      const error = await rejection(runtime().invoke(invocation(agent(settings), {})));
      expect(error, message).toBeInstanceOf(DefinitionError);
      expect((error as Error).message, message).toContain(message);
    }
    expect(requests).toEqual([]);
  });
});
