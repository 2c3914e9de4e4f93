import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentDefinitionInput, RunRecord, TaskRecord } from '@baton/core';
import {
  createBaton,
  type AgentFunction,
  type AgentRegistration,
  type Baton,
  type CreateBatonOptions,
} from '@baton/embedded';

/** A `function` agent that does no work of its own: the engine, the store and the queue are what is measured. */
export function agentDefinition(id: string, ms: number): AgentDefinitionInput {
  return {
    id,
    name: id,
    version: '1.0.0',
    kind: 'function',
    capabilities: { domain: 'operations', skills: ['benchmark'] },
    // Declared latency feeds the critical-path rank of the queue, as measured latencies would.
    performance: { avgLatency: ms, successRate: 100, reliability: 100, throughput: 1e3, costPerExecution: 0 },
    config: { maxConcurrency: 1e5, timeout: 6e4, retryPolicy: { maxRetries: 0, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

/** An agent that waits `ms` on a timer (a simulated model call) and reports that it ran. */
export function sleeper(
  id: string,
  ms: number,
): { definition: AgentDefinitionInput; handler: AgentFunction } {
  return { definition: agentDefinition(id, ms), handler: () => sleep(ms, { done: true }) };
}

/** Each step adds one to the count it is given, so a chain's output counts the steps that ran in order. */
export const counter: AgentRegistration = {
  definition: agentDefinition('bench.count', 0),
  handler: (input) => ({ count: Number(input['count']) + 1 }),
};

/** A workflow document in graph form. */
export function workflow(
  id: string,
  nodes: unknown[],
  edges: { from: string; to: string; port?: string }[],
  outputs: Record<string, { value: string }> = {},
): Record<string, unknown> {
  return { id, name: id, version: '1.0.0', nodes, edges, outputs };
}

/** An agent node of a workflow document. */
export const agentNode = (
  id: string,
  agent: string,
  inputs: Record<string, unknown> = {},
): Record<string, unknown> => ({
  id,
  type: 'agent',
  agent: { id: agent },
  inputs,
});

/** `count` node ids `prefix0`… and the edges that chain them in that order. */
export function chain(
  prefix: string,
  count: number,
): { ids: string[]; edges: { from: string; to: string }[] } {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  return { ids, edges: ids.slice(1).map((to, i) => ({ from: ids[i]!, to })) };
}

/** Opens an embedded Baton in a fresh temp directory, hands it to `work`, then closes it and removes the directory. */
export async function withBaton<T>(
  agents: readonly AgentRegistration[],
  concurrency: number,
  work: (baton: Baton) => Promise<T>,
  options: Omit<CreateBatonOptions, 'dataDir' | 'agents' | 'concurrency'> = {},
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-engine-bench-'));
  try {
    const baton = await createBaton({ ...options, dataDir, agents, concurrency });
    try {
      return await work(baton);
    } finally {
      await baton.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`engine bench: ${message}`);
}

/** Every task of the run, checked to have succeeded; returns them by node id. */
export async function succeededTasks(
  baton: Baton,
  run: RunRecord,
  expected: number,
): Promise<Map<string, TaskRecord>> {
  check(run.status === 'completed', `run ${run.id} ended ${run.status}: ${run.error?.message ?? ''}`);
  const details = await baton.getRun(run.id);
  check(details !== undefined, `run ${run.id} is not in the store`);
  const tasks = new Map(details.tasks.map((t) => [t.nodeId, t]));
  check(tasks.size === expected, `run ${run.id} has ${tasks.size} tasks, expected ${expected}`);
  for (const task of tasks.values())
    check(task.status === 'succeeded', `task ${task.key} of run ${run.id} is ${task.status}`);
  return tasks;
}
