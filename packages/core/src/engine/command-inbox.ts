import { ConflictError, NotFoundError, TimeoutError } from '../errors/errors.js';
import type { ErrorInfo } from '../execution/records.js';
import type { Clock } from '../ports/clock.js';
import type { CommandSettlement, CommandStore, RunCommand, RunControl } from '../ports/command-store.js';
import type { Store } from '../ports/store.js';
import { FINAL_RUN_STATUSES } from '../execution/lifecycle.js';

/** What the inbox needs from the engine. */
export interface CommandInboxOptions {
  store: Store & CommandStore;
  clock: Clock;
  /** How often the inbox is read (ms). */
  pollMs: number;
  onError: (error: unknown) => void;
  /** Whether this process drives the run (in memory or parked). */
  holds: (runId: string) => boolean;
  /** Applies a command to a run this process drives; resolves once its settlement is committed. */
  apply: (command: RunCommand) => Promise<void>;
}

/** How long a command stays unsettled for a run nobody drives before the inbox checks the run still exists. */
const ORPHAN_CHECK_MS = 1_000;
/** How long an applied command is remembered, so a read that raced its settlement does not apply it twice. */
const REMEMBER_MS = 10_000;

/**
 * Operator commands for runs other processes drive (docs/operations.md): senders leave them in the store; the
 * engine that drives the run reads them every `pollMs` and applies them in the order they were sent, settling
 * each in the same transaction as its decision. A command for a run that ended or does not exist is refused
 * by whichever engine notices first.
 */
export class CommandInbox {
  readonly #o: CommandInboxOptions;
  /** Commands applied or being applied here, with when they may be forgotten. */
  readonly #seen = new Map<number, number>();
  #cancelTimer: (() => void) | undefined;
  #stopped = false;
  #polling: Promise<void> | undefined;

  constructor(options: CommandInboxOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#stopped) return;
    this.#cancelTimer = this.#o.clock.setTimer(this.#o.pollMs, () => {
      this.#polling = this.poll()
        .catch((error: unknown) => this.#o.onError(error))
        .finally(() => {
          this.#polling = undefined;
          this.start();
        });
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer?.();
    await this.#polling;
  }

  /** Applies the waiting commands of the runs this process drives, oldest first, one run's in order. */
  async poll(): Promise<void> {
    const now = this.#o.clock.now();
    for (const [id, until] of this.#seen) if (until < now) this.#seen.delete(id);
    const pending = await this.#o.store.pendingCommands();
    for (const command of pending) {
      if (this.#seen.has(command.id)) continue;
      if (this.#o.holds(command.runId)) {
        this.#seen.set(command.id, Number.POSITIVE_INFINITY);
        try {
          await this.#o.apply(command);
        } finally {
          this.#seen.set(command.id, this.#o.clock.now() + REMEMBER_MS);
        }
      } else if (now - command.at > ORPHAN_CHECK_MS) {
        await this.#refuseIfEnded(command);
      }
    }
  }

  /**
   * Sends a command to the engine that drives `runId` elsewhere and waits until it is settled: resolves when it
   * was applied, throws `ConflictError` with the reason when it was refused, `TimeoutError` when no engine
   * settled it in `timeoutMs` (it stays queued for the next engine that drives the run).
   */
  async send(runId: string, input: RunControl, timeoutMs: number, adopt: () => Promise<void>): Promise<void> {
    const id = await this.#o.store.enqueueCommand(runId, input, this.#o.clock.now());
    // A run no live process drives is taken over here, and the next poll applies the command.
    await adopt();
    const deadline = Date.now() + timeoutMs;
    for (let wait = 5; ; wait = Math.min(wait * 2, 50)) {
      const settled = await this.#o.store.commandResult(id);
      if (settled) {
        if (settled.result.ok) return;
        const { error } = settled.result;
        const code = typeof error.details?.code === 'string' ? error.details.code : error.code;
        const options = { details: { code } };
        if (error.code === 'NOT_FOUND' || code === 'NOT_FOUND')
          throw new NotFoundError(`run "${runId}": ${error.message}`, options);
        throw new ConflictError(`run "${runId}": ${error.message}`, options);
      }
      if (Date.now() > deadline) {
        throw new TimeoutError(
          `no process applied the ${input.type} command to run "${runId}" within ${timeoutMs} ms; it stays queued (command ${id}) and is applied when a process drives the run again`,
          { details: { commandId: id } },
        );
      }
      // Real time on purpose: the sender waits for another process, whatever clock this engine runs on.
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Settles a command the run refused, with the reason. */
  async refuse(command: RunCommand, error: ErrorInfo, at: number): Promise<void> {
    await this.#o.store.settleCommand({ id: command.id, result: { ok: false, error }, at });
  }

  /** The settlement of an applied command, for the decision that applies it. */
  accepted(command: RunCommand): CommandSettlement {
    return { id: command.id, result: { ok: true }, at: this.#o.clock.now() };
  }

  async #refuseIfEnded(command: RunCommand): Promise<void> {
    const run = await this.#o.store.getRun(command.runId);
    if (run && !FINAL_RUN_STATUSES.has(run.status)) return;
    await this.#o.store.settleCommand({
      id: command.id,
      at: this.#o.clock.now(),
      result: {
        ok: false,
        error: run
          ? { code: 'RUN_FINISHED', message: `the run is ${run.status}`, retryable: false }
          : { code: 'NOT_FOUND', message: `no run "${command.runId}"`, retryable: false },
      },
    });
  }
}

/** Whether a store keeps an operator-command inbox. */
export function hasCommandStore(store: Store): store is Store & CommandStore {
  return typeof (store as Partial<CommandStore>).enqueueCommand === 'function';
}
