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
import { jsonb } from './jsonb-text.js';
import type { Statement } from './postgres-statements.js';
import type { RunStatement } from './postgres-work.js';

const DEFAULT_PENDING_LIMIT = 100;
const COMMAND = 'SELECT id, run_id, input, at FROM run_commands';

/** Adds a command to the inbox and returns its id. */
export const ENQUEUE_COMMAND: Statement = {
  name: 'baton_enqueue_command',
  text: 'INSERT INTO run_commands (run_id, input, at) VALUES ($1, $2::jsonb, $3) RETURNING id',
};

/** Up to `$1` unsettled commands, oldest first (a scan of the partial index). */
export const PENDING_COMMANDS: Statement = {
  name: 'baton_pending_commands',
  text: `${COMMAND} WHERE settled_at IS NULL ORDER BY id LIMIT $1`,
};

/** The unsettled commands of run `$1`, oldest first. */
export const RUN_COMMANDS: Statement = {
  name: 'baton_run_commands',
  text: `${COMMAND} WHERE run_id = $1 AND settled_at IS NULL ORDER BY id`,
};

/**
 * Settles command `$1` unless it is settled. A second settler blocked on the row lock re-checks the condition
 * against the first one's row and changes nothing, so the first result is kept.
 */
export const SETTLE_COMMAND: Statement = {
  name: 'baton_settle_command',
  text: `UPDATE run_commands SET result = $2::jsonb, settled_at = $3
         WHERE id = $1::bigint AND settled_at IS NULL`,
};

/** The end of command `$1`; no row while it is unsettled. */
export const COMMAND_RESULT: Statement = {
  name: 'baton_command_result',
  text: 'SELECT result, settled_at FROM run_commands WHERE id = $1::bigint AND settled_at IS NOT NULL',
};

/**
 * The `CommandStore` half of `PostgresStore`: each call is one statement (see the statements above).
 * Settlements of a decision are written by `commit` (see `COMMIT`).
 */
export class PostgresCommands {
  constructor(private readonly run: RunStatement) {}

  async enqueue(runId: string, input: RunControl, at: number): Promise<number> {
    const [row] = await this.run<{ id: string }>('sending a command', ENQUEUE_COMMAND, () => [
      runId,
      jsonb(input),
      at,
    ]);
    return Number(row?.id);
  }

  async pending(limit = DEFAULT_PENDING_LIMIT): Promise<RunCommand[]> {
    const rows = await this.run<CommandRow>('reading pending commands', PENDING_COMMANDS, () => [limit]);
    return rows.map(commandFromRow);
  }

  async ofRun(runId: string): Promise<RunCommand[]> {
    const rows = await this.run<CommandRow>("reading a run's commands", RUN_COMMANDS, () => [runId]);
    return rows.map(commandFromRow);
  }

  async settle(settlement: CommandSettlement): Promise<void> {
    await this.run('settling a command', SETTLE_COMMAND, () => [
      settlement.id,
      jsonb(settlement.result),
      settlement.at,
    ]);
  }

  async result(id: number): Promise<SettledCommand | undefined> {
    const [row] = await this.run<SettledCommandRow>("reading a command's result", COMMAND_RESULT, () => [id]);
    return row && settledCommandFromRow(row);
  }
}
