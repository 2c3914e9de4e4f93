import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  postgresAvailable,
  redisAvailable,
  requireService,
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from '@baton/test-services';
import { functionAgent } from '../testing/temp-baton.js';
import { createBaton, type Baton } from '../create-baton.js';
import { CRUNCH_WORKFLOW, FAN_WORKFLOW, distCrunch, distStep, fanOutput } from './workload.js';

const hasServices =
  requireService('PostgreSQL', postgresAvailable(), 'apt-get install postgresql') &&
  requireService('Redis', redisAvailable(), 'apt-get install redis-server');

/** Worker processes run from the build, like real ones; `npm test` builds before it tests. */
const workerScript = fileURLToPath(new URL('../../dist/distributed/worker-child.js', import.meta.url));
const STEPS_PER_RUN = 6;

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
}

describe.skipIf(!hasServices)('distributed mode: PostgreSQL, Redis and worker processes', () => {
  let postgres: PostgresServer;
  let redis: RedisServer;
  let dir: string;
  let database = 0;
  const children: ChildProcess[] = [];
  const open: Baton[] = [];

  beforeAll(async () => {
    expect(existsSync(workerScript), 'build first: npm run build').toBe(true);
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    dir = mkdtempSync(join(tmpdir(), 'baton-distributed-'));
  }, 60_000);

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const baton of open.splice(0)) await baton.close().catch(() => undefined);
    await redis.flushAll();
  });

  afterAll(async () => {
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh database for one test, so runs of earlier tests are not taken over. */
  async function freshDatabase(): Promise<string> {
    const name = `dist_${++database}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(postgres.url);
    url.pathname = `/${name}`;
    return url.toString();
  }

  function startWorkerProcess(
    databaseUrl: string,
    logFile: string,
    ms: [number, number],
    leaseMs: number,
    stallAfter?: number,
  ): Child {
    const args = [databaseUrl, redis.url, logFile, String(ms[0]), String(ms[1]), String(leaseMs)];
    if (stallAfter !== undefined) args.push(String(stallAfter));
    const proc = spawn(process.execPath, [workerScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      proc.on('exit', (code, signal) => {
        if (signal === null && code !== 0) reject(new Error(`worker exited ${code}: ${stderr}`));
      });
    });
    return { process: proc, ready };
  }

  async function server(databaseUrl: string): Promise<Baton> {
    const baton = await createBaton({ databaseUrl, redisUrl: redis.url, agents: [distStep(), distCrunch()] });
    open.push(baton);
    return baton;
  }

  /** Every `start` line of the log: idempotency key → the pids that ran it. */
  function starts(logFile: string): Map<string, string[]> {
    const byKey = new Map<string, string[]>();
    if (!existsSync(logFile)) return byKey;
    for (const line of readFileSync(logFile, 'utf8').split('\n')) {
      const [kind, key, pid] = line.split(' ');
      if (kind === 'start' && key && pid) byKey.set(key, [...(byKey.get(key) ?? []), pid]);
    }
    return byKey;
  }

  /** Checks every run completed with its output and every task committed exactly one success. */
  async function expectAllCompleted(baton: Baton, runIds: readonly string[]): Promise<void> {
    for (const id of runIds) {
      const run = await baton.waitForRun(id);
      expect(run.status, `${id}: ${run.error?.message ?? ''}`).toBe('completed');
      expect(run.output).toEqual({ value: fanOutput(Number(run.input['n'])) });
      const succeeded = (await baton.readEvents(id)).filter((e) => e.type === 'task.succeeded');
      expect(succeeded).toHaveLength(STEPS_PER_RUN);
      expect(new Set(succeeded.map((e) => ('taskKey' in e ? e.taskKey : '')))).toHaveProperty(
        'size',
        STEPS_PER_RUN,
      );
    }
  }

  it('runs workflows on two worker processes, every step once', async () => {
    const databaseUrl = await freshDatabase();
    const logFile = join(dir, 'two-workers.log');
    const workers = [0, 1].map(() => startWorkerProcess(databaseUrl, logFile, [5, 20], 30_000));
    await Promise.all(workers.map((w) => w.ready));
    const baton = await server(databaseUrl);
    expect(baton.mode).toBe('distributed');
    const workflow = baton.parseWorkflow(FAN_WORKFLOW);
    const runs = await Promise.all(Array.from({ length: 30 }, (_, n) => baton.startRun(workflow, { n })));
    await expectAllCompleted(
      baton,
      runs.map((r) => r.id),
    );
    const log = starts(logFile);
    expect(log.size).toBe(30 * STEPS_PER_RUN);
    expect([...log.values()].every((pids) => pids.length === 1)).toBe(true);
    expect(new Set([...log.values()].flat()).size).toBe(2);
  }, 60_000);

  it('finishes the steps of a worker killed with kill -9 on the other worker, with the same attempt', async () => {
    const databaseUrl = await freshDatabase();
    const logFile = join(dir, 'kill.log');
    const [doomed, survivor] = [0, 1].map(() => startWorkerProcess(databaseUrl, logFile, [300, 500], 1_500));
    await Promise.all([doomed!.ready, survivor!.ready]);
    const baton = await server(databaseUrl);
    const workflow = baton.parseWorkflow(FAN_WORKFLOW);
    const runs = await Promise.all(Array.from({ length: 10 }, (_, n) => baton.startRun(workflow, { n })));
    // Kill the first worker as soon as it has started a step.
    const doomedPid = String(doomed!.process.pid);
    for (let i = 0; i < 200 && ![...starts(logFile).values()].flat().includes(doomedPid); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    doomed!.process.kill('SIGKILL');
    await expectAllCompleted(
      baton,
      runs.map((r) => r.id),
    );
    const log = starts(logFile);
    const rerun = [...log.entries()].filter(([, pids]) => pids.length > 1);
    expect(rerun.length).toBeGreaterThan(0);
    for (const [, pids] of rerun) {
      // Run again only because the killed worker held it: first by the doomed pid, then by the survivor.
      expect(pids[0]).toBe(doomedPid);
      expect(pids.at(-1)).toBe(String(survivor!.process.pid));
    }
  }, 90_000);

  it('resumes a long task of a worker killed with kill -9 from the last checkpoint it saved', async () => {
    const databaseUrl = await freshDatabase();
    const logFile = join(dir, 'checkpoint.log');
    // The doomed worker saves 3 checkpoints and then hangs in the middle of its task.
    const doomed = startWorkerProcess(databaseUrl, logFile, [5, 20], 1_500, 3);
    await doomed.ready;
    const baton = await server(databaseUrl);
    const run = await baton.startRun(baton.parseWorkflow(CRUNCH_WORKFLOW), { chunks: 8 });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const saved = async (table: 'work' | 'tasks'): Promise<unknown> => {
        const key = table === 'work' ? 'task_key' : 'key';
        const { rows } = await db.query<{ checkpoint: unknown }>(
          `SELECT checkpoint FROM ${table} WHERE run_id = $1 AND ${key} = 'crunch'`,
          [run.id],
        );
        return rows[0]?.checkpoint;
      };
      // Wait until the third checkpoint is in the work item, then kill the worker.
      for (let i = 0; i < 400 && !isDeepStrictEqual(await saved('work'), { done: 3 }); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await saved('work')).toEqual({ done: 3 });
      const survivor = startWorkerProcess(databaseUrl, logFile, [5, 20], 1_500);
      await survivor.ready;
      doomed.process.kill('SIGKILL');
      const done = await baton.waitForRun(run.id);
      expect(done.status, done.error?.message).toBe('completed');
      expect(done.output).toEqual({ result: { chunks: 8, resumedFrom: 3 } });
      // Same attempt on both workers: the survivor went on where the killed one left off.
      const crunches = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('crunch '));
      const key = `${run.id}:crunch:1`;
      expect(crunches).toEqual([
        `crunch ${key} ${doomed.process.pid} 0`,
        `crunch ${key} ${survivor.process.pid} 3`,
      ]);
      // The driver recorded the attempt's last checkpoint on the task row.
      expect(await saved('tasks')).toEqual({ done: 8 });
    } finally {
      await db.end();
    }
  }, 30_000);

  it('completes 200 running workflows after Redis loses every signal (FLUSHALL)', async () => {
    const databaseUrl = await freshDatabase();
    const logFile = join(dir, 'flush.log');
    const workers = [0, 1].map(() => startWorkerProcess(databaseUrl, logFile, [5, 30], 30_000));
    await Promise.all(workers.map((w) => w.ready));
    const baton = await server(databaseUrl);
    const workflow = baton.parseWorkflow(FAN_WORKFLOW);
    const runs = await Promise.all(Array.from({ length: 200 }, (_, n) => baton.startRun(workflow, { n })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.flushAll();
    await expectAllCompleted(
      baton,
      runs.map((r) => r.id),
    );
  }, 120_000);

  it('resumes runs after PostgreSQL restarts in the middle of them', async () => {
    const databaseUrl = await freshDatabase();
    const logFile = join(dir, 'restart.log');
    const workers = [0, 1].map(() => startWorkerProcess(databaseUrl, logFile, [20, 60], 30_000));
    await Promise.all(workers.map((w) => w.ready));
    const baton = await server(databaseUrl);
    const workflow = baton.parseWorkflow(FAN_WORKFLOW);
    const runs = await Promise.all(Array.from({ length: 20 }, (_, n) => baton.startRun(workflow, { n })));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await postgres.restart();
    await expectAllCompleted(
      baton,
      runs.map((r) => r.id),
    );
  }, 120_000);

  it('runs an agent registered after the workers started, which they read from the registry on first sight', async () => {
    const databaseUrl = await freshDatabase();
    const worker = startWorkerProcess(databaseUrl, join(dir, 'late.log'), [5, 20], 30_000);
    await worker.ready;
    const baton = await server(databaseUrl);
    await baton.saveAgent(
      functionAgent('t.late', {
        kind: 'script',
        settings: { source: 'export default function run(input) { return { late: input.n + 1 }; }' },
      }),
    );
    const run = await baton.run({
      id: 'late',
      name: 'Late agent',
      version: '1.0.0',
      nodes: [{ id: 'late', type: 'agent', agent: { id: 't.late' }, inputs: { n: 41 } }],
      outputs: { late: { value: 'nodes.late.output.late' } },
    });
    expect(run.status, run.error?.message).toBe('completed');
    expect(run.output).toEqual({ late: 42 });
  }, 60_000);
});
