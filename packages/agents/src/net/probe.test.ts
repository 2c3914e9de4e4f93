import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startA2aServer, type TestA2aServer } from '../a2a/a2a-servers.test.fixtures.js';
import { startMcpServer, type TestMcpServer } from '../mcp/mcp-servers.test.fixtures.js';
import { probeAgent } from './probe.js';
import { remoteAgent, testServerAccess } from './remote-runtimes.test.fixtures.js';

let base: string;
let server: Server;
let a2a: TestA2aServer;
let mcp: TestMcpServer;
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization ?? '-'}`);
    if (req.url === '/broken') res.writeHead(500).end();
    else if (req.url === '/v1/models')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
    else res.writeHead(405).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  [a2a, mcp] = await Promise.all([startA2aServer(), startMcpServer()]);
});
afterAll(async () => {
  await Promise.all([a2a.close(), mcp.close()]);
  await new Promise((resolve) => server.close(resolve));
});

/** A port nothing listens on: a server opened and closed again. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('probeAgent', () => {
  it('finds an http agent up when it answers below 500, with its latency and auth', async () => {
    const agent = remoteAgent('http', 'acme.score', {
      endpoint: `${base}/score`,
      auth: { secret: 'SCORE_TOKEN' },
    });
    const result = await probeAgent(agent, testServerAccess(base, { BATON_SECRET_SCORE_TOKEN: 'k' }));
    expect(result).toMatchObject({ agent: 'acme.score@1.0.0', status: 'up' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(seen).toContain('HEAD /score Bearer k');
  });

  it('finds an http agent down when it answers 500 or refuses the connection', async () => {
    const broken = await probeAgent(
      remoteAgent('http', 'acme.b', { endpoint: `${base}/broken` }),
      testServerAccess(base),
    );
    expect(broken).toEqual({ agent: 'acme.b@1.0.0', status: 'down', error: `${base} answered 500` });
    const gone = await closedPort();
    const refused = await probeAgent(
      remoteAgent('http', 'acme.g', { endpoint: `${gone}/x` }),
      testServerAccess(gone),
    );
    expect(refused.status).toBe('down');
    expect(refused.error).toMatch(/ECONNREFUSED|refused|unreachable/i);
  });

  it('finds an agent down when the egress guard refuses its address', async () => {
    const result = await probeAgent(remoteAgent('http', 'acme.score', { endpoint: `${base}/score` }));
    expect(result.status).toBe('down');
    expect(result.error).toMatch(/not allowed|refused|loopback/i);
  });

  it('reads an a2a agent’s card', async () => {
    const up = await probeAgent(remoteAgent('a2a', 'acme.r', { url: a2a.base }), testServerAccess(a2a.base));
    expect(up.status).toBe('up');
    const missing = await probeAgent(
      remoteAgent('a2a', 'acme.r', { url: `${a2a.base}/none/card.json` }),
      testServerAccess(a2a.base),
    );
    expect(missing).toMatchObject({ status: 'down', error: `${a2a.base} answered 404` });
  });

  it('lists the tools of an mcp server over HTTP, and does not probe a stdio one', async () => {
    const up = await probeAgent(
      remoteAgent('mcp', 'acme.t', { url: mcp.url, tool: 'echo' }),
      testServerAccess(mcp.url),
    );
    expect(up.status).toBe('up');
    const stdio = remoteAgent('mcp', 'acme.s', { transport: 'stdio', command: 'true', tool: 'echo' });
    expect(await probeAgent(stdio)).toEqual({ agent: 'acme.s@1.0.0', status: 'not-probed' });
  });

  it('asks an OpenAI-compatible model API for its models', async () => {
    const agent = remoteAgent('llm', 'acme.llm', {
      provider: 'openai-compatible',
      baseURL: `${base}/v1/`,
      model: 'm',
      prompt: 'hi',
    });
    expect((await probeAgent(agent, testServerAccess(base))).status).toBe('up');
    expect(seen).toContain('GET /v1/models -');
  });

  it('calls agents that run in Baton local', async () => {
    expect(await probeAgent(remoteAgent('script', 'acme.s', { source: '' }))).toEqual({
      agent: 'acme.s@1.0.0',
      status: 'local',
    });
  });
});
