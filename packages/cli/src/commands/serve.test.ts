import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('baton serve and baton worker', () => {
  it('serves embedded until asked to stop, then stops cleanly', async () => {
    const serve = startLong(['serve', '--data-dir', dataDir]);
    await serve.printed('Baton serving (embedded');
    serve.stop();
    expect(await serve.exit).toBe(0);
    expect(serve.output()).toContain('Stopped.');
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

    const serve = startLong(['serve'], env);
    await serve.printed('Baton serving (distributed');
    serve.stop();
    worker.stop('SIGINT');
    expect(await serve.exit).toBe(0);
    expect(await worker.exit).toBe(0);
    expect(worker.output()).toContain('Stopped.');
  }, 120_000);
});
