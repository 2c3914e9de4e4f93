import type { EngineCommand, EngineInput } from '../execution/engine-input.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { Clock } from '../ports/clock.js';
import type { Nudges, WorkQueue, WorkSignal } from '../ports/work-queue.js';
import type { WorkItem, WorkOutcome, WorkStore } from '../ports/work-store.js';

/** How a driving process hands agent tasks to workers in other processes (ADR 0004). */
export interface RemoteExecution {
  /** The outbox; usually the same object as the engine's store. */
  work: WorkStore;
  queue: WorkQueue;
  nudges: Nudges;
  /** The pool an agent's tasks go to (default: {@link poolFor} with no pools, so `default`). */
  poolOf?: (agent: AgentDefinition) => string;
  /** How often results are taken without a nudge, in case one was lost (default 1 s). */
  pollMs?: number;
  /** How often lost work is looked for and signalled again (default 2 s). */
  reconcileMs?: number;
  /** Queued work not claimed for this long is signalled again (default 5 s). */
  staleAfterMs?: number;
}

/**
 * The pool of an agent among the `pools` workers are deployed for: `agent:<id>` if there is one, else
 * `domain:<domain>`, else `default`.
 */
export function poolFor(agent: AgentDefinition, pools: readonly string[]): string {
  if (pools.includes(`agent:${agent.id}`)) return `agent:${agent.id}`;
  const domain = `domain:${agent.capabilities.domain}`;
  return pools.includes(domain) ? domain : 'default';
}

type Dispatch = Extract<EngineCommand, { type: 'dispatch' }>;

/** What the dispatcher feeds to the run's driver: a worker's outcome, preceded by the attempt's checkpoint. */
export type RemoteInput = WorkOutcome | Extract<EngineInput, { type: 'agent.checkpoint' }>;

/**
 * The driving side of distributed execution: turns dispatch commands into outbox items (committed with the
 * decision), signals them once committed, takes the outcomes workers leave for this owner — on a nudge, and on a
 * slow poll — with the attempts' last checkpoints, and re-signals work that a queue lost or a dead worker held.
 */
export class RemoteDispatcher {
  readonly #o: Required<RemoteExecution>;
  #pending: WorkSignal[] = [];
  #taking = false;
  #again = false;
  #stopped = false;
  #unlisten: (() => void) | undefined;
  readonly #timers = new Set<() => void>();

  constructor(
    options: RemoteExecution,
    private readonly clock: Clock,
    private readonly owner: string,
    private readonly deliver: (runId: string, input: RemoteInput) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#o = {
      poolOf: (agent) => poolFor(agent, []),
      pollMs: 1_000,
      reconcileMs: 2_000,
      staleAfterMs: 5_000,
      ...options,
    };
  }

  /** The outbox item of a dispatch, to commit in the same transaction as the decision that made it. */
  item(runId: string, runPriority: number, dispatch: Dispatch): WorkItem {
    const { agent } = dispatch;
    return {
      runId,
      taskKey: dispatch.taskKey,
      attempt: dispatch.attempt,
      agent: `${agent.id}@${agent.version}`,
      pool: this.#o.poolOf(agent),
      input: dispatch.input,
      timeoutMs: dispatch.timeoutMs,
      ...(dispatch.checkpoint === undefined ? {} : { checkpoint: dispatch.checkpoint }),
      runPriority,
      rank: dispatch.rank,
      queuedAt: this.clock.now(),
    };
  }

  /** Signals a committed item; signals of one turn go to the queue together. */
  signal(item: WorkItem): void {
    if (this.#pending.length === 0) queueMicrotask(() => this.#flush());
    this.#pending.push(toSignal(item));
  }

  /** Drops not-yet-taken signals of a cancelled task (its outbox row is already gone). */
  cancel(runId: string, taskKey: string): void {
    this.#o.queue.remove(runId, [taskKey]).catch(this.onError);
  }

  start(): void {
    this.#unlisten = this.#o.nudges.listen(this.owner, () => this.take());
    this.#every(this.#o.pollMs, () => this.take());
    this.#every(this.#o.reconcileMs, () => this.#reconcile());
    this.take();
  }

  stop(): void {
    this.#stopped = true;
    this.#unlisten?.();
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
  }

  /** Takes every outcome waiting for this owner and delivers it; wakes during a take run one more round. */
  take(): void {
    if (this.#stopped) return;
    if (this.#taking) {
      this.#again = true;
      return;
    }
    this.#taking = true;
    void (async () => {
      try {
        do {
          this.#again = false;
          for (;;) {
            const results = await this.#o.work.takeResults(this.owner, 500);
            for (const { runId, outcome, checkpoint } of results) {
              // The checkpoint first, so a retry the outcome schedules is dispatched with it.
              if (checkpoint !== undefined) {
                const { taskKey, attempt } = outcome;
                this.deliver(runId, { type: 'agent.checkpoint', taskKey, attempt, data: checkpoint });
              }
              this.deliver(runId, outcome);
            }
            if (results.length < 500) break;
          }
        } while (this.#again && !this.#stopped);
      } catch (error) {
        this.onError(error);
      } finally {
        this.#taking = false;
      }
    })();
  }

  #flush(): void {
    const signals = this.#pending;
    this.#pending = [];
    if (signals.length > 0 && !this.#stopped) this.#o.queue.add(signals).catch(this.onError);
  }

  async #reconcile(): Promise<void> {
    const now = this.clock.now();
    const lost = await this.#o.work.pendingWork(now, now - this.#o.staleAfterMs, 1_000);
    if (lost.length > 0) await this.#o.queue.add(lost.map(toSignal));
  }

  #every(ms: number, work: () => void | Promise<void>): void {
    const arm = (): void => {
      if (this.#stopped) return;
      const cancel = this.clock.setTimer(ms, () => {
        this.#timers.delete(cancel);
        Promise.resolve(work()).catch(this.onError).finally(arm);
      });
      this.#timers.add(cancel);
    };
    arm();
  }
}

function toSignal(item: WorkItem): WorkSignal {
  return {
    runId: item.runId,
    taskKey: item.taskKey,
    attempt: item.attempt,
    pool: item.pool,
    runPriority: item.runPriority,
    rank: item.rank,
    ...(item.leaseVersion ? { generation: item.leaseVersion } : {}),
  };
}
