import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import {
  postgresAvailable,
  redisAvailable,
  requireService,
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from '@baton/test-services';

/** Whether distributed-mode suites run here: skipped without the servers, failed under CI without them. */
export const distributedAvailable =
  requireService('PostgreSQL', postgresAvailable(), 'apt-get install postgresql') &&
  requireService('Redis', redisAvailable(), 'apt-get install redis-server');

/** The modes a suite that runs on both should cover here. */
export const MODES: readonly ('embedded' | 'distributed')[] = distributedAvailable
  ? ['embedded', 'distributed']
  : ['embedded'];

/** Worker processes run from the build, like real ones; `npm test` builds before it tests. */
const workerScript = fileURLToPath(new URL('../../dist/distributed/worker-child.js', import.meta.url));

/** A throwaway PostgreSQL and Redis for one test file, with a fresh database per call of `fresh`. */
export interface DistributedServices {
  /** A new empty database and a flushed Redis: the settings of a Baton that sees nothing of earlier tests. */
  fresh(): Promise<{ databaseUrl: string; redisUrl: string }>;
  /** Starts `count` worker processes on those settings; they are killed after the file. */
  workers(settings: { databaseUrl: string; redisUrl: string }, count: number, logFile: string): Promise<void>;
}

/** Registers `beforeAll`/`afterAll` hooks that start and stop the servers. */
export function useDistributedServices(): DistributedServices {
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  let databases = 0;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  }, 60_000);
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  });
  return {
    async fresh() {
      if (!postgres || !redis) throw new Error('the servers start in beforeAll');
      const name = `test_${++databases}`;
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      await redis.flushAll();
      const url = new URL(postgres.url);
      url.pathname = `/${name}`;
      return { databaseUrl: url.toString(), redisUrl: redis.url };
    },
    async workers(settings, count, logFile) {
      if (!existsSync(workerScript)) throw new Error('build first: npm run build');
      await Promise.all(
        Array.from({ length: count }, () => {
          const proc = spawn(
            process.execPath,
            [workerScript, settings.databaseUrl, settings.redisUrl, logFile],
            {
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          );
          children.push(proc);
          return new Promise<void>((resolve, reject) => {
            proc.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
            proc.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
          });
        }),
      );
    },
  };
}
