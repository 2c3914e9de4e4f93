import { DefinitionError, Worker, type Clock } from '@baton/core';
import { AGENT_SYNC_MS, StoredAgentSync } from './stored-agents.js';
import { createAgentSetup, type AgentRegistration, type AgentSetupOptions } from './agent-setup.js';
import { openInfrastructure, type InfrastructureOptions } from './infrastructure.js';
import { processOwner } from './process-owner.js';
import { SystemClock } from './system-clock.js';

/** Options of a worker process (`baton worker`). */
export interface StartWorkerOptions
  extends Omit<InfrastructureOptions, 'dataDir' | 'durability' | 'pools'>, AgentSetupOptions {
  /** Agents to register besides the built-in ones, as for `createBaton`: every worker must know them. */
  agents?: readonly AgentRegistration[];
  /** The agent pools this worker serves (default `default`): `default`, `domain:<domain>`, `agent:<id>`. */
  pools?: readonly string[];
  /** Tasks run at once, per pool (default 16). */
  concurrency?: number;
  /** How long a claim on a task holds without renewal (default 30 s). */
  leaseMs?: number;
  /** How often the catalog takes in what was saved to the agent registry since (default 2,000 ms). */
  agentSyncMs?: number;
  clock?: Clock;
  onError?: (error: unknown) => void;
}

/** A running worker. */
export interface BatonWorker {
  readonly id: string;
  readonly pools: readonly string[];
  /** Signals waiting in this worker's pools (or in `pools`), for scaling on queue depth. */
  depth(pools?: readonly string[]): Promise<number>;
  /**
   * Takes no new work, lets running tasks finish (or, with `cancelRunning`, aborts them: their claims run out
   * and other workers run them again with the same attempt), then closes the connections.
   */
  stop(options?: { cancelRunning?: boolean }): Promise<void>;
}

/**
 * Starts a worker of distributed mode (ADR 0004): it takes work signals of its pools from Redis, claims the
 * work in PostgreSQL and runs the agents. Needs both a database and a Redis URL (options or
 * `BATON_DATABASE_URL` / `BATON_REDIS_URL`).
 */
export async function startWorker(options: StartWorkerOptions = {}): Promise<BatonWorker> {
  const infrastructure = await openInfrastructure(options);
  const { redis } = infrastructure;
  if (!redis) {
    await infrastructure.close();
    const message =
      'a worker needs PostgreSQL and Redis: set BATON_DATABASE_URL and BATON_REDIS_URL (or pass databaseUrl and redisUrl)';
    throw new DefinitionError(message, [
      { code: 'SETTING_MISSING', path: 'BATON_REDIS_URL', message, severity: 'error' },
    ]);
  }
  const agents = createAgentSetup(options.agents, options);
  const { catalog, runtimes } = agents;
  // The engine dispatches saved agents too, so a worker must know them: the registry as it is, and as it changes.
  const codeDefined = new Set(catalog.list().map((a) => `${a.id}@${a.version}`));
  const sync = new StoredAgentSync(infrastructure.store, catalog, codeDefined);
  try {
    await sync.refresh();
  } catch (error) {
    await infrastructure.close();
    await agents.close();
    throw error;
  }
  const id = processOwner();
  const pools = options.pools && options.pools.length > 0 ? options.pools : ['default'];
  const worker = new Worker({
    id,
    ...redis,
    catalog,
    runtimes,
    clock: options.clock ?? new SystemClock(),
    pools,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    refreshCatalog: () => sync.refresh(),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  sync.start(options.agentSyncMs ?? AGENT_SYNC_MS, options.onError);
  worker.start();
  return {
    id,
    pools,
    depth: (of) => redis.queue.depth(of ?? pools),
    async stop(stopOptions = {}) {
      await worker.stop(stopOptions);
      await sync.stop();
      await infrastructure.close();
      await agents.close();
    },
  };
}
