import type { Migration } from '../migrations.js';

/**
 * The agent registry.
 *
 * - `agents` holds each saved `id@version` whole as JSON, replaced on every save; the listing order (semantic
 *   version precedence) is applied in code, since SQL cannot sort versions.
 * - `tasks_agent_ended` serves `agentExecutions` (one agent version's settled tasks, newest first). It is
 *   partial — settled agent tasks only — so a task is written to it once, when it settles, not at dispatch too;
 *   `agentUsage`, an occasional admin query, scans the table.
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

    CREATE INDEX tasks_agent_ended ON tasks (agent, ended_at) WHERE agent IS NOT NULL AND ended_at IS NOT NULL;
  `,
};
