import type { Migration } from '../migrations.js';

/**
 * The operator-command inbox and the circuit breakers.
 *
 * - `run_commands.id` is AUTOINCREMENT, not a plain rowid alias: ids must only grow, even after the newest
 *   rows were deleted, so a sender never reads another command's result under its id.
 * - `run_id` has no foreign key: a command may name a run that never existed or was deleted, and is then
 *   settled as a refusal.
 * - Settled commands stay as the senders' receipts, so the index over the inbox is partial: it holds only the
 *   unsettled commands every driving engine polls for, and stays small however many were settled. Both reads
 *   scan it in id order (a run's commands are filtered on the way) instead of the whole table, which SQLite's
 *   planner picks for `ORDER BY id` when the index leads with `run_id`.
 * - `breakers` holds one row per agent version, written when a breaker changes state.
 */
export const commandsAndBreakers: Migration = {
  version: 2,
  name: 'commands-breakers',
  sql: `
    CREATE TABLE run_commands (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      run_id TEXT NOT NULL,
      input TEXT NOT NULL,
      at INTEGER NOT NULL,
      settled_at INTEGER,
      result TEXT
    );
    CREATE INDEX run_commands_unsettled ON run_commands (id) WHERE settled_at IS NULL;

    CREATE TABLE breakers (
      agent TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      changed_at INTEGER NOT NULL,
      retry_at INTEGER,
      reason TEXT,
      trips INTEGER NOT NULL
    );
  `,
};
