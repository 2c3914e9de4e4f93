import type { EngineInput, OperatorInput } from '../execution/engine-input.js';
import type { ErrorInfo } from '../execution/records.js';

/** What a command carries: an operator's act, or an approver's decision. */
export type RunControl = OperatorInput | Extract<EngineInput, { type: 'approval.decide' }>;

/**
 * An operator's command for a run, left in the store for whichever process drives the run (a `baton run` in
 * another terminal, a server, a worker host). The driving engine polls for unsettled commands and applies
 * them; a process that adopts a run applies the commands waiting for it.
 */
export interface RunCommand {
  /** Increasing per store. */
  id: number;
  runId: string;
  input: RunControl;
  /** When it was sent (ms since epoch). */
  at: number;
}

/** How a command ended: applied, or refused with the reason (e.g. the task was not waiting). */
export type CommandResult = { ok: true } | { ok: false; error: ErrorInfo };

/** A command's end, as the sender reads it back. */
export interface SettledCommand {
  result: CommandResult;
  settledAt: number;
}

/** A command settled by a decision, committed in the same transaction as the decision's delta. */
export interface CommandSettlement {
  id: number;
  result: CommandResult;
  at: number;
}

/**
 * The operator-command inbox. Contract (the command-store suite in `@baton/testing`):
 * - `enqueueCommand` returns ids that increase with each call.
 * - Unsettled commands are returned oldest first; a settled one is never returned again.
 * - Settling twice keeps the first result.
 * - Settlements in `RunDelta.commands` commit atomically with the delta.
 */
export interface CommandStore {
  enqueueCommand(runId: string, input: RunControl, at: number): Promise<number>;
  /** Unsettled commands of every run, oldest first, at most `limit` (default 100). */
  pendingCommands(limit?: number): Promise<RunCommand[]>;
  /** Unsettled commands of one run, oldest first. */
  runCommands(runId: string): Promise<RunCommand[]>;
  /** Settles a command outside a decision (a refusal, or a command for a run that no longer exists). */
  settleCommand(settlement: CommandSettlement): Promise<void>;
  /** How a command ended; undefined while it is unsettled (or if there is no such command). */
  commandResult(id: number): Promise<SettledCommand | undefined>;
}
