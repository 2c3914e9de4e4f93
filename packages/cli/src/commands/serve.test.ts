import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '@baton/core';
import {
  postgresAvailable,
  redisAvailable,
  requireService,
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from '@baton/test-services';
import { runCli } from '../program.js';
import { testAgent } from '../testing/gated-agent.js';
import { repoRoot, runBaton } from '../testing/run-baton.js';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-cli-serve-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts a long-running command in-process; `stop()` sends it the next stop request, as Ctrl-C would. */
function startLong(args: string[], env: Record<string, string | undefined> = {}) {
  let out = '';
  let err = '';
  const requests: ((signal: string) => void)[] = [];
  const exit = runCli(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: repoRoot,
    env,
    isTty: false,
    nextStop: () => new Promise((resolve) => requests.push(resolve)),
  });
  return {
    exit,
    output: () => out,
    errors: () => err,
    async printed(text: string): Promise<void> {
      for (let i = 0; i < 400 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out, err).toContain(text);
    },
    stop: (signal = 'SIGTERM') => requests.shift()?.(signal),
  };
}

/** The URL `baton serve` says its HTTP API listens on. */
function apiUrl(output: string): string {
  const url = /HTTP API listening on (http:\/\/\S+)/.exec(output)?.[1];
  expect(url, output).toBeDefined();
  return url!;
}

/** A script agent: it runs from its definition alone, as one registered over HTTP must. */
const scriptAgent = (id: string) => ({
  ...testAgent(id),
  kind: 'script',
  settings: { source: 'export default function run(input) { return input; }' },
});

describe('baton serve and baton worker', () => {
  it('serves embedded until asked to stop, then stops cleanly', async () => {
    const serve = startLong(['serve', '--data-dir', dataDir, '--port', '0']);
    await serve.printed('Baton serving (embedded');
    await serve.printed('HTTP API listening on http://127.0.0.1:');
    serve.stop();
    expect(await serve.exit).toBe(0);
    expect(serve.output()).toContain('Stopped.');
  });

  it('registers an agent over HTTP that the CLI then finds in the same data directory', async () => {
    const dir = join(dataDir, 'over-http');
    const serve = startLong(['serve', '--data-dir', dir, '--port', '0']);
    await serve.printed('HTTP API listening on');
    const url = apiUrl(serve.output());
    const created = await fetch(`${url}/api/v1/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scriptAgent('acme.over-http')),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const invalid = await fetch(`${url}/api/v1/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agents: [scriptAgent('acme.half'), { id: 'acme.broken' }] }),
    });
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe('DEFINITION_INVALID');
    serve.stop();
    expect(await serve.exit).toBe(0);

    const list = await runBaton(['agents', 'list', '--data-dir', dir, '--json']);
    const ids = (JSON.parse(list.stdout) as AgentDefinition[]).map((a) => `${a.id}@${a.version}`);
    expect(ids).toContain('acme.over-http@1.0.0');
    expect(ids).not.toContain('acme.half@1.0.0');
    const show = await runBaton(['agents', 'show', 'acme.over-http@1.0.0', '--data-dir', dir]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('acme.over-http@1.0.0  active');
  });

  it('wants the bearer token on every API request once BATON_API_TOKEN is set', async () => {
    const token = 'serve-test-token-0123456789abcdef';
    const serve = startLong(['serve', '--data-dir', join(dataDir, 'token'), '--port', '0'], {
      BATON_API_TOKEN: token,
    });
    await serve.printed('bearer token required');
    const url = apiUrl(serve.output());
    expect((await fetch(`${url}/api/v1/agents`)).status).toBe(401);
    const withToken = await fetch(`${url}/api/v1/agents`, { headers: { authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    serve.stop();
    expect(await serve.exit).toBe(0);
  });

  it('limits requests per client to BATON_API_RATE_LIMIT a minute, and refuses a limit it cannot read', async () => {
    const serve = startLong(['serve', '--data-dir', join(dataDir, 'limited'), '--port', '0'], {
      BATON_API_RATE_LIMIT: '2',
    });
    await serve.printed('HTTP API listening on');
    const url = apiUrl(serve.output());
    expect((await fetch(`${url}/api/v1/agent-usage`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/agent-usage`)).status).toBe(200);
    const refused = await fetch(`${url}/api/v1/agent-usage`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    serve.stop();
    expect(await serve.exit).toBe(0);
    const bad = await runBaton(['serve', '--data-dir', join(dataDir, 'limited')], {
      BATON_API_RATE_LIMIT: 'lots',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('BATON_API_RATE_LIMIT must be requests a minute per client');
  });

  it('refuses to serve the API beyond this machine without a token, before opening any store', async () => {
    const dir = join(dataDir, 'exposed');
    const exposed = await runBaton(['serve', '--data-dir', dir, '--host', '0.0.0.0', '--port', '0']);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain('refusing to serve the API on 0.0.0.0 without a token');
    expect(exposed.stderr).toContain('BATON_API_TOKEN');
    expect(existsSync(dir)).toBe(false);
    const fromEnv = await runBaton(['serve', '--data-dir', dir], { BATON_HOST: '0.0.0.0', BATON_PORT: '0' });
    expect(fromEnv.code).toBe(2);
    const badPort = await runBaton(['serve', '--data-dir', dir, '--port', 'http']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port');
  });

  it('refuses a worker without PostgreSQL and Redis, and pools it cannot read', async () => {
    const none = await runBaton(['worker']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('BATON_DATABASE_URL');
    const bad = await runBaton(['worker', '--agents', 'legal'], {
      BATON_DATABASE_URL: 'postgres://localhost/x',
      BATON_REDIS_URL: 'redis://localhost',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('domain:<domain>');
  });
});

const hasServices =
  requireService('PostgreSQL', postgresAvailable(), 'apt-get install postgresql') &&
  requireService('Redis', redisAvailable(), 'apt-get install redis-server');

describe.skipIf(!hasServices)('baton in distributed mode', () => {
  let postgres: PostgresServer;
  let redis: RedisServer;
  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  });

  it('runs the RFP template from `baton run` on a `baton worker`, and `baton serve` sees the run', async () => {
    const env = { BATON_DATABASE_URL: postgres.url, BATON_REDIS_URL: redis.url };
    const worker = startLong(['worker', '--concurrency', '4', '--metrics-port', '0'], env);
    await worker.printed('/healthz');
    const port = /Metrics on port (\d+)/.exec(worker.output())?.[1];
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    expect(metrics).toContain('baton_work_queue_depth{pool="default"} 0');
    const run = await runBaton(
      ['run', 'templates/rfp-response.json', '--input-file', 'examples/inputs/rfp-response.json', '--json'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const { run: document } = JSON.parse(run.stdout) as {
      run: { id: string; status: string; output: Record<string, unknown> };
    };
    expect(document.status).toBe('completed');
    expect(Object.keys(document.output).length).toBeGreaterThan(0);

    const list = await runBaton(['runs', 'list', '--json'], env);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id)).toContain(document.id);

    const serve = startLong(['serve', '--port', '0'], env);
    await serve.printed('Baton serving (distributed');
    serve.stop();
    worker.stop('SIGINT');
    expect(await serve.exit).toBe(0);
    expect(await worker.exit).toBe(0);
    expect(worker.output()).toContain('Stopped.');
  }, 120_000);
});
