import {
  agentExecutionFromRow,
  compareAgents,
  type AgentDefinition,
  type AgentExecution,
  type AgentExecutionRow,
  type AgentStore,
} from '@baton/core';
import { jsonb, parseJsonb } from './jsonb-text.js';
import type { Statement } from './postgres-statements.js';
import type { RunStatement } from './postgres-work.js';

/** An `agentUsage` row; the counts are `bigint`, which arrive as text. */
interface UsageRow {
  agent: string;
  tasks: string;
  runs: string;
  last_used_at: number;
}

type Usage = Awaited<ReturnType<AgentStore['agentUsage']>>[number];

const DEFAULT_EXECUTIONS_LIMIT = 1_000;

/** Inserts or replaces the definition `$1@$2` whole. */
export const SAVE_AGENT: Statement = {
  name: 'baton_save_agent',
  text: `INSERT INTO agents (id, version, body) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (id, version) DO UPDATE SET body = excluded.body, updated_at = now()`,
};

/** Every saved definition, in no order (the registry's order is applied in code). */
export const LIST_AGENTS: Statement = { name: 'baton_list_agents', text: 'SELECT body FROM agents' };

/**
 * Up to `$2` settled tasks of agent version `$1`, newest end first: a backward scan of `tasks_agent_ended`
 * (`agent = $1` implies its predicate) that stops at the limit.
 */
export const AGENT_EXECUTIONS: Statement = {
  name: 'baton_agent_executions',
  text: `
    SELECT run_id, key, status, started_at, ended_at, cost_usd,
           CASE WHEN status = 'failed' THEN error ->> 'code' END AS error_code
    FROM tasks
    WHERE agent = $1 AND ended_at IS NOT NULL AND started_at IS NOT NULL
      AND status IN ('succeeded', 'failed', 'cancelled')
    ORDER BY ended_at DESC, started_at DESC, run_id, key
    LIMIT $2`,
};

/** Per agent version: the tasks dispatched to it, their distinct runs, and its latest start or end. */
export const AGENT_USAGE: Statement = {
  name: 'baton_agent_usage',
  text: `
    SELECT agent, count(*) AS tasks, count(DISTINCT run_id) AS runs,
           COALESCE(GREATEST(max(ended_at), max(started_at)), 0) AS last_used_at
    FROM tasks WHERE agent IS NOT NULL GROUP BY agent ORDER BY agent`,
};

/** The `AgentStore` half of `PostgresStore`: each call is one statement (see the statements above). */
export class PostgresAgents {
  constructor(private readonly run: RunStatement) {}

  async save(definition: AgentDefinition): Promise<void> {
    await this.run('saving an agent', SAVE_AGENT, () => [
      definition.id,
      definition.version,
      jsonb(definition),
    ]);
  }

  async list(): Promise<AgentDefinition[]> {
    const rows = await this.run<{ body: string }>('listing agents', LIST_AGENTS, () => []);
    return rows.map((row) => parseJsonb<AgentDefinition>(row.body)).sort(compareAgents);
  }

  async executions(agent: string, limit = DEFAULT_EXECUTIONS_LIMIT): Promise<AgentExecution[]> {
    const rows = await this.run<AgentExecutionRow>("reading an agent's executions", AGENT_EXECUTIONS, () => [
      agent,
      limit,
    ]);
    return rows.map(agentExecutionFromRow);
  }

  async usage(): Promise<Usage[]> {
    const rows = await this.run<UsageRow>('counting agent usage', AGENT_USAGE, () => []);
    return rows.map((row) => ({
      agent: row.agent,
      tasks: Number(row.tasks),
      runs: Number(row.runs),
      lastUsedAt: row.last_used_at,
    }));
  }
}
