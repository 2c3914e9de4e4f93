/**
 * A worker process for the distributed tests: runs `dist.step` and `dist.crunch` tasks of the `default` pool
 * until SIGTERM. Arguments: databaseUrl redisUrl logFile minMs maxMs leaseMs [stallAfter] (see `distCrunch`).
 */
import { startWorker } from '../start-worker.js';
import { distCrunch, distStep } from './workload.js';

const [databaseUrl, redisUrl, logFile, minMs, maxMs, leaseMs, stallAfter] = process.argv.slice(2);
if (!databaseUrl || !redisUrl || !logFile)
  throw new Error('usage: worker-child <db> <redis> <log> [min max lease [stallAfter]]');
const worker = await startWorker({
  databaseUrl,
  redisUrl,
  agents: [
    distStep({ logFile, minMs: Number(minMs ?? 5), maxMs: Number(maxMs ?? 20) }),
    distCrunch({ logFile, ...(stallAfter === undefined ? {} : { stallAfter: Number(stallAfter) }) }),
  ],
  concurrency: 8,
  leaseMs: Number(leaseMs ?? 30_000),
  onError: (error) => process.stderr.write(`worker error: ${String(error)}\n`),
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
