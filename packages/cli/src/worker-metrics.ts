import { createServer, type Server } from 'node:http';

/** What the worker's metrics endpoint reports. */
export interface WorkerMetricsSource {
  pools: readonly string[];
  /** Signals waiting in one pool. */
  depth(pool: string): Promise<number>;
}

/**
 * Serves `/metrics` (Prometheus text format) and `/healthz` for a worker, so that an autoscaler can scale
 * workers on queue depth (`baton_work_queue_depth{pool="…"}`) and an orchestrator can probe liveness.
 */
export async function serveWorkerMetrics(
  source: WorkerMetricsSource,
  port: number,
  host = '0.0.0.0',
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    Promise.all(source.pools.map(async (pool) => [pool, await source.depth(pool)] as const))
      .then((depths) => {
        const lines = [
          '# HELP baton_work_queue_depth Agent tasks waiting for a worker, by pool.',
          '# TYPE baton_work_queue_depth gauge',
          ...depths.map(
            ([pool, depth]) => `baton_work_queue_depth{pool="${pool.replace(/["\\\n]/g, '_')}"} ${depth}`,
          ),
          '# HELP baton_worker_up Whether this worker is running.',
          '# TYPE baton_worker_up gauge',
          'baton_worker_up 1',
          '',
        ];
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n'));
      })
      .catch((error: unknown) => {
        response.writeHead(503, { 'content-type': 'text/plain' }).end(`${String(error)}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
