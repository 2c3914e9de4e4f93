/**
 * A worker process for the distributed benchmark: serves the `default` pool with the benchmark's agents until
 * SIGTERM. Arguments: databaseUrl redisUrl concurrency.
 */
import { startWorker } from '@baton/embedded';
import { CONCURRENT_STEP_MS } from '../workloads.js';
import { counter, sleeper } from './harness.js';

const [databaseUrl, redisUrl, concurrency] = process.argv.slice(2);
if (!databaseUrl || !redisUrl)
  throw new Error('usage: distributed-worker <databaseUrl> <redisUrl> [concurrency]');
const worker = await startWorker({
  databaseUrl,
  redisUrl,
  agents: [counter, sleeper('bench.sleep50', CONCURRENT_STEP_MS)],
  concurrency: Number(concurrency ?? 64),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
