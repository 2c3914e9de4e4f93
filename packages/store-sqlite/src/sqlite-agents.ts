import type Database from 'better-sqlite3';
import {
  agentExecutionFromRow,
  compareAgents,
  type AgentDefinition,
  type AgentExecution,
  type AgentExecutionRow,
  type AgentStore,
} from '@baton/core';

type Usage = Awaited<ReturnType<AgentStore['agentUsage']>>[number];

const DEFAULT_EXECUTIONS_LIMIT = 1_000;

/**
 * The agent registry of `SqliteStore` (its `AgentStore` half): statements prepared once, run inside the store's
 * call wrapper, which maps driver errors and a stored JSON that no longer parses to a `StorageError`.
 * Executions and usage are read from the `tasks` table the engine commits; nothing is written twice.
 */
export class SqliteAgents {
  readonly #save: Database.Statement<[string, string, string, number]>;
  readonly #list: Database.Statement<[], string>;
  readonly #executions: Database.Statement<[string, number], AgentExecutionRow>;
  readonly #usage: Database.Statement<[], Usage>;

  constructor(db: Database.Database) {
    this.#save = db.prepare<[string, string, string, number]>(
      `INSERT INTO agents (id, version, body, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id, version) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    );
    this.#list = db.prepare<[], string>('SELECT body FROM agents').pluck();
    // `agent = ?` implies the partial index's `agent IS NOT NULL`, so the scan walks `tasks_agent_ended`
    // backwards from the newest end and stops at the limit.
    this.#executions = db.prepare<[string, number], AgentExecutionRow>(
      `SELECT run_id, key, status, started_at, ended_at, cost_usd,
              CASE WHEN status = 'failed' THEN json_extract(error, '$.code') END AS error_code
       FROM tasks
       WHERE agent = ? AND ended_at IS NOT NULL AND started_at IS NOT NULL
         AND status IN ('succeeded', 'failed', 'cancelled')
       ORDER BY ended_at DESC, started_at DESC, run_id, key
       LIMIT ?`,
    );
    this.#usage = db.prepare<[], Usage>(
      `SELECT agent, COUNT(*) AS tasks, COUNT(DISTINCT run_id) AS runs,
              MAX(COALESCE(MAX(ended_at), 0), COALESCE(MAX(started_at), 0)) AS lastUsedAt
       FROM tasks WHERE agent IS NOT NULL GROUP BY agent ORDER BY agent`,
    );
  }

  /** Stamps the row with the wall-clock time of the save (`updated_at`), for people reading the table. */
  save(definition: AgentDefinition): void {
    this.#save.run(definition.id, definition.version, JSON.stringify(definition), Date.now());
  }

  list(): AgentDefinition[] {
    return this.#list
      .all()
      .map((body) => JSON.parse(body) as AgentDefinition)
      .sort(compareAgents);
  }

  executions(agent: string, limit = DEFAULT_EXECUTIONS_LIMIT): AgentExecution[] {
    return this.#executions.all(agent, limit).map(agentExecutionFromRow);
  }

  usage(): Usage[] {
    return this.#usage.all();
  }
}
