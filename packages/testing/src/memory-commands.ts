import type { CommandSettlement, RunControl, RunCommand, RunDelta, SettledCommand } from '@baton/core';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const DEFAULT_PENDING_LIMIT = 100;

/**
 * The operator-command inbox in memory (the `CommandStore` half of `MemoryStore`): the same rules as the
 * SQLite and PostgreSQL tables, checked by the same contract suite.
 */
export class MemoryCommands {
  /** In id order: ids only grow and a map iterates in insertion order. */
  readonly #commands = new Map<number, { command: RunCommand; settled?: SettledCommand }>();
  #lastId = 0;

  enqueue(runId: string, input: RunControl, at: number): number {
    const id = ++this.#lastId;
    this.#commands.set(id, { command: { id, runId, input: copy(input), at } });
    return id;
  }

  pending(limit = DEFAULT_PENDING_LIMIT): RunCommand[] {
    const found: RunCommand[] = [];
    for (const entry of this.#commands.values()) {
      if (found.length >= limit) break;
      if (entry.settled === undefined) found.push(copy(entry.command));
    }
    return found;
  }

  ofRun(runId: string): RunCommand[] {
    return [...this.#commands.values()]
      .filter((entry) => entry.settled === undefined && entry.command.runId === runId)
      .map((entry) => copy(entry.command));
  }

  /** Settles a command that is still unsettled; an unknown or settled one is left as it is. */
  settle(settlement: CommandSettlement): void {
    const entry = this.#commands.get(settlement.id);
    if (entry === undefined || entry.settled !== undefined) return;
    entry.settled = { result: copy(settlement.result), settledAt: settlement.at };
  }

  result(id: number): SettledCommand | undefined {
    const settled = this.#commands.get(id)?.settled;
    return settled && copy(settled);
  }

  /** What `commit` does with a delta's settlements, after the delta's own checks passed. */
  apply(delta: RunDelta): void {
    for (const settlement of delta.commands ?? []) this.settle(settlement);
  }
}
