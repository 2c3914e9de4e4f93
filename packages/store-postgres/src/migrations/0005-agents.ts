import type { Migration } from '../migrations.js';

/**
 * The agent registry, the same table as the SQLite store's.
 *
 * - `agents` holds each saved `id@version` whole as `jsonb`, replaced on every save; the listing order
 *   (semantic version precedence) is applied in code, since SQL cannot sort versions.
 * - `tasks_agent_ended` serves `agentExecutions` (one agent version's settled tasks, newest first, stopping at
 *   the limit). It is partial — settled agent tasks only — so a task enters it once, when it settles, and
 *   tasks of other node types never do; `agentUsage`, an occasional admin query, scans the table. The trade-off: an update that sets a task's agent (dispatch) or its end (settling) can no
 *   longer be a HOT update, so those two writes of an agent task also touch the table's indexes. Without the
 *   index every `agentExecutions` call would read the whole tasks table.
 * - Built without CONCURRENTLY (the migration is one transaction): on a large tasks table, writes wait for the
 *   build. Upgrade a busy database in a quiet moment.
 */
export const agentRegistry: Migration = {
  version: 5,
  name: 'agents',
  sql: `
    CREATE TABLE agents (
      id text COLLATE "C" NOT NULL,
      version text COLLATE "C" NOT NULL,
      body jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT agents_pkey PRIMARY KEY (id, version)
    );

    CREATE INDEX tasks_agent_ended ON tasks (agent, ended_at) WHERE agent IS NOT NULL AND ended_at IS NOT NULL;
  `,
};
