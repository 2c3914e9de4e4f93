import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createBaton, type Baton } from '@baton/embedded';
import { startPostgres, startRedis } from '@baton/test-services';
import { round, type BenchResult } from '../measure.js';
import { CHAIN_STEPS, CONCURRENT_STEP_MS, CONCURRENT_STEPS, IN_FLIGHT } from '../workloads.js';
import { agentNode, chain, check, counter, sleeper, workflow } from './harness.js';

const workerScript = fileURLToPath(new URL('./distributed-worker.js', import.meta.url));

const chainSteps = chain('s', CHAIN_STEPS);
const chainWorkflow = workflow(
  'bench-chain',
  chainSteps.ids.map((id, i) =>
    agentNode(id, 'bench.count', {
      count: i === 0 ? 0 : `{{ nodes.${chainSteps.ids[i - 1]}.output.count }}`,
    }),
  ),
  chainSteps.edges,
  { steps: { value: `nodes.${chainSteps.ids.at(-1)}.output.count` } },
);
const threeSteps = chain('t', CONCURRENT_STEPS);
const threeStepWorkflow = workflow(
  'bench-three-steps',
  threeSteps.ids.map((id) => agentNode(id, 'bench.sleep50')),
  threeSteps.edges,
);

function startWorkerProcess(
  databaseUrl: string,
  redisUrl: string,
): { proc: ChildProcess; ready: Promise<void> } {
  const proc = spawn(process.execPath, [workerScript, databaseUrl, redisUrl, '256'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    proc.on('exit', (code) => reject(new Error(`benchmark worker exited ${code}`)));
  });
  return { proc, ready };
}

/** Runs `runs` chains, `IN_FLIGHT` at a time, each checked; returns the wall time in ms. */
async function chains(baton: Baton, runs: number): Promise<number> {
  const parsed = baton.parseWorkflow(chainWorkflow);
  let started = 0;
  const start = performance.now();
  const lane = async (): Promise<void> => {
    while (started < runs) {
      started++;
      const run = await baton.run(parsed);
      check(
        run.status === 'completed' && run.output?.['steps'] === CHAIN_STEPS,
        `chain run ${run.id} ended ${run.status}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, runs) }, lane));
  return performance.now() - start;
}

/**
 * W1 and W4 in distributed mode on this machine: a throwaway PostgreSQL and Redis, the benchmark process as the
 * server that drives the runs, and 1 or 2 `worker` processes that run the agents. Reports steps/s (budget ≥ 2,000)
 * and the time one step adds to a lone chain (budget ≤ 2 ms), next to the embedded figures.
 */
export async function runDistributedBench(options: { quick?: boolean } = {}): Promise<BenchResult[]> {
  const chainRuns = options.quick === true ? 100 : 1_000;
  const concurrentRuns = options.quick === true ? 200 : 2_000;
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const results: BenchResult[] = [];
  try {
    for (const workers of [1, 2]) {
      const database = `bench_${workers}`;
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      await client.query(`CREATE DATABASE ${database}`);
      await client.end();
      const url = new URL(postgres.url);
      url.pathname = `/${database}`;
      const databaseUrl = url.toString();
      await redis.flushAll();
      const baton = await createBaton({
        databaseUrl,
        redisUrl: redis.url,
        agents: [counter, sleeper('bench.sleep50', CONCURRENT_STEP_MS)],
      });
      const procs = Array.from({ length: workers }, () => startWorkerProcess(databaseUrl, redis.url));
      try {
        await Promise.all(procs.map((p) => p.ready));
        await chains(baton, 50);
        const label = `distributed (PostgreSQL + Redis, ${workers} worker process${workers === 1 ? '' : 'es'})`;
        // One chain alone: the time a step takes end to end when nothing else runs (the agent does nothing).
        const lone: number[] = [];
        for (let i = 0; i < 5; i++) lone.push((await chains(baton, 1)) / CHAIN_STEPS);
        lone.sort((a, b) => a - b);
        const perStep = lone[2] ?? NaN;
        results.push({
          name: `${label}: time a step adds to a lone 10-step chain (median of 5)`,
          value: round(perStep, 2),
          unit: 'ms',
          budget: '≤ 2 ms',
          met: perStep <= 2,
        });
        const w1 = await chains(baton, chainRuns);
        const stepsPerSecond = (chainRuns * CHAIN_STEPS * 1_000) / w1;
        results.push({
          name: `${label}: W1 chain, ${chainRuns.toLocaleString('en-US')} runs × ${CHAIN_STEPS} steps, ${IN_FLIGHT} in flight, throughput`,
          value: round(stepsPerSecond, 0),
          unit: 'steps/s',
          budget: '≥ 2,000 steps/s',
          met: stepsPerSecond >= 2_000,
        });
        const parsed = baton.parseWorkflow(threeStepWorkflow);
        const start = performance.now();
        const runs = await Promise.all(Array.from({ length: concurrentRuns }, () => baton.run(parsed)));
        const wallMs = performance.now() - start;
        check(
          runs.every((r) => r.status === 'completed'),
          'a W4 run did not complete',
        );
        results.push({
          name: `${label}: W4, ${concurrentRuns.toLocaleString('en-US')} concurrent runs of 3 × 50 ms, wall time`,
          value: round(wallMs, 0),
          unit: 'ms',
          budget: '—',
          met: true,
        });
      } finally {
        for (const p of procs) p.proc.kill('SIGTERM');
        await baton.close();
      }
    }
  } finally {
    await Promise.allSettled([postgres.stop(), redis.stop()]);
  }
  return results;
}
