import type { Migration } from '../migrations.js';

/**
 * The operator-command inbox and the circuit breakers, the same tables as the SQLite store's.
 *
 * - `run_commands.id` is an identity: ids only grow, so a sender never reads another command's result under
 *   its id. `run_id` has no foreign key: a command may name a run that never existed or was deleted, and is
 *   then settled as a refusal.
 * - A command is settled by `commit` (in the same statement as the decision that applied it) or by
 *   `settleCommand`, both only while `settled_at` is NULL, so the first settlement wins even when two race.
 * - Settled commands stay as the senders' receipts, so the index over the inbox is partial: it holds only the
 *   unsettled commands every driving engine polls for, in id order, and stays small however many were
 *   settled. `runCommands` filters that short list by run.
 * - `breakers` holds one row per agent version, written when a breaker changes state.
 */
export const commandsAndBreakers: Migration = {
  version: 3,
  name: 'commands-breakers',
  sql: `
    CREATE TABLE run_commands (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      run_id text COLLATE "C" NOT NULL,
      input jsonb NOT NULL,
      at double precision NOT NULL,
      settled_at double precision,
      result jsonb
    );
    CREATE INDEX run_commands_unsettled ON run_commands (id) WHERE settled_at IS NULL;

    CREATE TABLE breakers (
      agent text COLLATE "C" PRIMARY KEY,
      state text COLLATE "C" NOT NULL,
      changed_at double precision NOT NULL,
      retry_at double precision,
      reason text,
      trips integer NOT NULL
    );
  `,
};
