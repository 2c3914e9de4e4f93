import {
  Engine,
  Worker,
  parseAgentDefinition,
  type AgentCatalog,
  type AgentDefinition,
  type AgentRuntime,
} from '@baton/core';
import { ManualClock } from './manual-clock.js';
import { MemoryStore } from './memory-store.js';
import { MemoryNudges, MemoryWorkQueue } from './memory-work-queue.js';
import { SequentialIdSource } from './sequential-id-source.js';

/** Lets commits, queue hand-offs, checkpoint writes and nudges run. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A builtin agent for remote-execution tests: one skill named after it, a long timeout, `maxRetries` retries. */
export function remoteTestAgent(
  id: string,
  name: string,
  skill: string,
  maxRetries: number,
): AgentDefinition {
  return parseAgentDefinition({
    id,
    name,
    version: '1.0.0',
    kind: 'builtin',
    capabilities: { domain: 'operations', skills: [skill] },
    performance: {
      avgLatency: 10,
      successRate: 99,
      throughput: 100,
      costPerExecution: 0.01,
      reliability: 99,
    },
    config: { maxConcurrency: 100, timeout: 300_000, retryPolicy: { maxRetries, backoff: 'linear' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  });
}

/**
 * A server engine that runs nothing itself, on the memory store, queue and nudges, and one worker per runtime
 * (`worker-1`, `worker-2`, …), not started; all on one manual clock.
 */
export async function startRemoteEngine(
  catalog: AgentCatalog,
  runtimes: readonly AgentRuntime[],
  workerOptions: { concurrency?: number } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore();
  const queue = new MemoryWorkQueue();
  const nudges = new MemoryNudges();
  const engine = new Engine({
    store,
    clock,
    ids: new SequentialIdSource({ width: 4 }),
    catalog,
    runtimes: [],
    owner: 'server-1',
    remote: { work: store, queue, nudges, pollMs: 1_000, reconcileMs: 2_000, staleAfterMs: 5_000 },
  });
  await engine.start();
  const workers = runtimes.map(
    (runtime, i) =>
      new Worker({
        id: `worker-${i + 1}`,
        work: store,
        queue,
        nudges,
        catalog,
        runtimes: [runtime],
        clock,
        leaseMs: 30_000,
        ...workerOptions,
      }),
  );
  return { clock, store, queue, nudges, engine, workers };
}
