import type { TaskStatus } from '../execution/lifecycle.js';
import type { AgentDefinition } from '../model/agent-schema.js';

/** One finished execution of an agent version, as the registry measures it: a settled agent task attempt. */
export interface AgentExecution {
  runId: string;
  taskKey: string;
  /** `succeeded`, `failed` or `cancelled`. */
  status: Extract<TaskStatus, 'succeeded' | 'failed' | 'cancelled'>;
  startedAt: number;
  endedAt: number;
  costUsd: number;
  /** The error code of a failed one. */
  errorCode?: string;
}

/**
 * The agent registry's table, and the executions it measures agents by. Contract (the agent-store suite in
 * `@baton/testing`):
 * - `saveAgent` inserts or replaces the definition of one `id@version` whole; `listAgents` returns every
 *   saved version (copies), ids in alphabetical order, versions newest first.
 * - `agentExecutions(agent)` returns the latest settled tasks whose `agent` is that `id@version` (newest
 *   first, at most `limit`, default 1,000), from the task rows the engine commits — nothing is written twice.
 * - `agentUsage()` counts, per `id@version`, the tasks ever dispatched to it and the runs they belong to.
 */
export interface AgentStore {
  saveAgent(definition: AgentDefinition): Promise<void>;
  listAgents(): Promise<AgentDefinition[]>;
  agentExecutions(agent: string, limit?: number): Promise<AgentExecution[]>;
  agentUsage(): Promise<{ agent: string; tasks: number; runs: number; lastUsedAt: number }[]>;
}
