import type { Migration } from '../migrations.js';

/**
 * The agent registry.
 *
 * - `agents` holds each saved `id@version` whole as JSON, replaced on every save; the listing order (semantic
 *   version precedence) is applied in code, since SQL cannot sort versions.
 * - `tasks_agent_ended` serves `agentExecutions` (one agent version's settled tasks, newest first) and the
 *   grouping of `agentUsage`. It is partial: tasks of other node types have no agent and stay out of it.
 */
export const agentRegistry: Migration = {
  version: 3,
  name: 'agents',
  sql: `
    CREATE TABLE agents (
      id TEXT NOT NULL,
      version TEXT NOT NULL,
      body TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (id, version)
    ) WITHOUT ROWID;

    CREATE INDEX tasks_agent_ended ON tasks (agent, ended_at) WHERE agent IS NOT NULL;
  `,
};
