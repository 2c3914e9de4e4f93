import type { Command } from 'commander';
import { startWorker, type Baton } from '@baton/embedded';
import {
  bindingProblem,
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  listenApi,
  type ApiListener,
  type RateLimitOptions,
} from '@baton/server';
import { styles, UsageError, type CliIo } from '../io.js';
import { serveWorkerMetrics } from '../worker-metrics.js';
import { egressAllowOf } from './agents-import.js';
import { distributedSettings, openBaton } from './run.js';

function positiveInteger(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive whole number`);
  return value;
}

function poolList(text: string | undefined): string[] | undefined {
  const pools = text
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (pools === undefined) return undefined;
  const bad = pools.find((p) => p !== 'default' && !/^(domain|agent):[^\s:]+$/.test(p));
  if (bad !== undefined || pools.length === 0) {
    throw new UsageError(
      `--agents takes pools separated by commas: default, domain:<domain> or agent:<id> (got "${bad ?? text}")`,
    );
  }
  return pools;
}

/** Where `baton serve` puts its HTTP API: flags, else `BATON_HOST` / `BATON_PORT`, else loopback. */
interface ApiSettings {
  host: string;
  port: number;
  apiToken?: string;
  rateLimit?: RateLimitOptions;
}

function apiSettings(io: CliIo, options: { host?: string; port?: string }): ApiSettings {
  const env = (name: string): string | undefined => io.env[name]?.trim() || undefined;
  const host = options.host?.trim() || env('BATON_HOST') || DEFAULT_API_HOST;
  const portText = options.port ?? env('BATON_PORT');
  const port = portText === undefined ? DEFAULT_API_PORT : Number(portText);
  if (!/^\d+$/.test(portText ?? '0') || port > 65_535) {
    throw new UsageError(
      `--port (or BATON_PORT) must be a port number from 0 to 65535, 0 for a free one; got "${portText}"`,
    );
  }
  const apiToken = env('BATON_API_TOKEN');
  // Checked before the Baton opens: a refusal costs nothing and touches no store.
  const problem = bindingProblem(host, apiToken);
  if (problem !== undefined) throw new UsageError(problem);
  const limitText = env('BATON_API_RATE_LIMIT');
  if (limitText !== undefined && !/^\d+$/.test(limitText)) {
    throw new UsageError(
      `BATON_API_RATE_LIMIT must be requests a minute per client, 0 for no limit; got "${limitText}"`,
    );
  }
  const rateLimit: RateLimitOptions | undefined =
    limitText === undefined
      ? undefined
      : limitText === '0'
        ? false
        : { max: Number(limitText), windowMs: 60_000 };
  return {
    host,
    port,
    ...(apiToken === undefined ? {} : { apiToken }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
  };
}

/** Listens, or closes the Baton and says plainly why it could not (a port in use, an address not here). */
async function listenOrClose(io: CliIo, baton: Baton, settings: ApiSettings): Promise<ApiListener> {
  try {
    return await listenApi({
      baton,
      ...settings,
      onServerError: (error, request) =>
        io.stderr(
          `baton serve: ${request.method} ${request.url} (request ${request.id}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        ),
    });
  } catch (error) {
    await baton.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
      throw new UsageError(`cannot listen on ${settings.host}:${settings.port}: ${String(code)}`);
    }
    throw error;
  }
}

/** Waits for the process to be asked to stop; without a way to be told, the command cannot run. */
function stopRequested(io: CliIo): Promise<string> {
  if (!io.nextStop) throw new UsageError('this command runs until stopped and needs a process to run in');
  return io.nextStop();
}

/** `baton serve` and `baton worker`: the long-running processes of both modes. */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'Serve the HTTP API and drive runs until stopped: resume unfinished runs and take over those whose process died.',
    )
    .option(
      '-d, --data-dir <dir>',
      'embedded mode: where runs are stored (default: $BATON_DATA_DIR or ./.baton)',
    )
    .option('--host <host>', `where the HTTP API listens (default: $BATON_HOST or ${DEFAULT_API_HOST})`)
    .option('-p, --port <port>', `its port; 0 picks a free one (default: $BATON_PORT or ${DEFAULT_API_PORT})`)
    .option('--worker', 'distributed mode: also run agent tasks in this process', false)
    .option('--agents <pools>', 'with --worker: the agent pools to serve (default: default)')
    .option('-c, --concurrency <n>', 'agent tasks at once (embedded), or per pool (with --worker)')
    .addHelpText(
      'after',
      '\nThe HTTP API (docs/api.md) listens on loopback unless told otherwise. With BATON_API_TOKEN set, every\n' +
        '/api request needs `Authorization: Bearer <token>`; a host other machines can reach (--host 0.0.0.0)\n' +
        'is refused without one. BATON_API_RATE_LIMIT sets the requests a minute one client may make (default\n' +
        '600; 0 for no limit).\n' +
        '\nEmbedded (default): SQLite in the data directory; agents run in this process.\n' +
        'Distributed: set BATON_DATABASE_URL (PostgreSQL) and BATON_REDIS_URL; agents run on `baton worker`\n' +
        'processes (or here with --worker). BATON_POOLS lists the pools workers are deployed for, so that\n' +
        'agents of those domains or ids go to them (e.g. BATON_POOLS=domain:legal,agent:builtin.pricing-calculator).\n' +
        'Stops gracefully on SIGINT or SIGTERM: the API stops taking requests, then runs are handed back for\n' +
        'another process to take over.',
    )
    .action(
      async (options: {
        dataDir?: string;
        host?: string;
        port?: string;
        worker: boolean;
        agents?: string;
        concurrency?: string;
      }) => {
        const concurrency = positiveInteger(options.concurrency, '--concurrency');
        const pools = poolList(options.agents);
        const settings = apiSettings(io, options);
        const stopped = stopRequested(io);
        const baton = await openBaton(io, options.dataDir, {
          egressAllow: egressAllowOf(io),
          ...(options.worker
            ? { worker: { ...(pools ? { pools } : {}), ...(concurrency ? { concurrency } : {}) } }
            : {}),
          ...(concurrency && !options.worker ? { concurrency } : {}),
        });
        const api = await listenOrClose(io, baton, settings);
        const s = styles(io);
        const stop = baton.subscribe('*', (event) => {
          if (
            event.type === 'run.completed' ||
            event.type === 'run.failed' ||
            event.type === 'run.cancelled'
          ) {
            io.stdout(`${s.dim(new Date(event.at).toISOString())}  ${event.runId}  ${event.type.slice(4)}\n`);
          }
        });
        const open = await baton.listRuns({
          status: ['queued', 'running', 'paused', 'waiting'],
          limit: 1_000,
        });
        io.stdout(
          `Baton serving (${baton.mode}, ${baton.location}); ${open.length} unfinished run${open.length === 1 ? '' : 's'} in the store. Ctrl-C stops.\n`,
        );
        const guard =
          settings.apiToken === undefined ? 'no token: this machine only' : 'bearer token required';
        io.stdout(`HTTP API listening on ${api.url} (${guard})\n`);
        const signal = await stopped;
        io.stdout(`${signal}: handing runs back and stopping…\n`);
        // The API first: no request may reach a Baton that is closing.
        await api.close();
        stop();
        await baton.close();
        io.stdout('Stopped.\n');
      },
    );

  program
    .command('worker')
    .description(
      'Run agent tasks of distributed mode until stopped (needs BATON_DATABASE_URL and BATON_REDIS_URL).',
    )
    .option('--agents <pools>', 'agent pools to serve, comma-separated: default, domain:<domain>, agent:<id>')
    .option('-c, --concurrency <n>', 'tasks at once, per pool (default 16)')
    .option(
      '--metrics-port <port>',
      'serve /metrics (queue depth, for autoscaling) and /healthz on this port',
    )
    .addHelpText(
      'after',
      '\nStops gracefully on SIGINT or SIGTERM: running tasks finish first; a second signal aborts them\n' +
        '(their claims run out and other workers run them again with the same attempt).\n' +
        'Example:\n  BATON_DATABASE_URL=postgres://… BATON_REDIS_URL=redis://… baton worker --agents domain:legal',
    )
    .action(async (options: { agents?: string; concurrency?: string; metricsPort?: string }) => {
      const concurrency = positiveInteger(options.concurrency, '--concurrency');
      const metricsPort =
        options.metricsPort === '0' ? 0 : positiveInteger(options.metricsPort, '--metrics-port');
      const pools = poolList(options.agents);
      const settings = distributedSettings(io);
      if (!settings.databaseUrl || !settings.redisUrl) {
        throw new UsageError('a worker needs BATON_DATABASE_URL (PostgreSQL) and BATON_REDIS_URL (Redis)');
      }
      const first = stopRequested(io);
      const worker = await startWorker({
        databaseUrl: settings.databaseUrl,
        redisUrl: settings.redisUrl,
        ...(pools ? { pools } : {}),
        ...(concurrency ? { concurrency } : {}),
        onError: (error) =>
          io.stderr(`baton worker: ${error instanceof Error ? error.message : String(error)}\n`),
      });
      const metrics =
        metricsPort === undefined
          ? undefined
          : await serveWorkerMetrics(
              { pools: worker.pools, depth: (pool) => worker.depth([pool]) },
              metricsPort,
            );
      io.stdout(`Worker ${worker.id} serving ${worker.pools.join(', ')}. Ctrl-C stops.\n`);
      if (metrics) io.stdout(`Metrics on port ${metrics.port}: /metrics, /healthz\n`);
      const signal = await first;
      await metrics?.close();
      io.stdout(`${signal}: finishing running tasks (again to abort them)…\n`);
      const graceful = worker.stop();
      const again = stopRequested(io).then(async () => {
        io.stdout('Aborting running tasks.\n');
        await worker.stop({ cancelRunning: true });
      });
      await Promise.race([graceful, again]);
      io.stdout('Stopped.\n');
    });
}
