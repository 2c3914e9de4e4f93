import type Database from 'better-sqlite3';
import {
  commandFromRow,
  settledCommandFromRow,
  type CommandRow,
  type CommandSettlement,
  type RunControl,
  type RunCommand,
  type SettledCommand,
  type SettledCommandRow,
} from '@baton/core';

const DEFAULT_PENDING_LIMIT = 100;
const COMMAND = 'SELECT id, run_id, input, at FROM run_commands';

/**
 * The operator-command inbox of `SqliteStore` (its `CommandStore` half): statements prepared once, run inside
 * the store's call wrapper, which maps driver errors and a stored JSON that no longer parses to a
 * `StorageError`. `settle` is also what `commit` runs for a delta's settlements, inside its transaction.
 */
export class SqliteCommands {
  readonly #insert: Database.Statement<[string, string, number], number>;
  readonly #pending: Database.Statement<[number], CommandRow>;
  readonly #ofRun: Database.Statement<[string], CommandRow>;
  readonly #settle: Database.Statement<[number, string, number]>;
  readonly #result: Database.Statement<[number], SettledCommandRow>;

  constructor(db: Database.Database) {
    this.#insert = db
      .prepare<[string, string, number], number>(
        'INSERT INTO run_commands (run_id, input, at) VALUES (?, ?, ?) RETURNING id',
      )
      .pluck();
    // Both reads name the partial index's predicate exactly, so SQLite can use the index.
    this.#pending = db.prepare<[number], CommandRow>(
      `${COMMAND} WHERE settled_at IS NULL ORDER BY id LIMIT ?`,
    );
    this.#ofRun = db.prepare<[string], CommandRow>(
      `${COMMAND} WHERE run_id = ? AND settled_at IS NULL ORDER BY id`,
    );
    // Only an unsettled command is settled: a second settlement, whoever sends it, keeps the first result.
    this.#settle = db.prepare<[number, string, number]>(
      'UPDATE run_commands SET settled_at = ?, result = ? WHERE id = ? AND settled_at IS NULL',
    );
    this.#result = db.prepare<[number], SettledCommandRow>(
      'SELECT result, settled_at FROM run_commands WHERE id = ? AND settled_at IS NOT NULL',
    );
  }

  enqueue(runId: string, input: RunControl, at: number): number {
    return this.#insert.get(runId, JSON.stringify(input), at) as number;
  }

  pending(limit = DEFAULT_PENDING_LIMIT): RunCommand[] {
    return this.#pending.all(limit).map(commandFromRow);
  }

  ofRun(runId: string): RunCommand[] {
    return this.#ofRun.all(runId).map(commandFromRow);
  }

  settle(settlement: CommandSettlement): void {
    this.#settle.run(settlement.at, JSON.stringify(settlement.result), settlement.id);
  }

  result(id: number): SettledCommand | undefined {
    const row = this.#result.get(id);
    return row && settledCommandFromRow(row);
  }
}
