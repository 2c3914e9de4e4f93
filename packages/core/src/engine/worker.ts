import { AgentError, CancelledError } from '../errors/errors.js';
import type { AgentRuntime } from '../ports/agent-runtime.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { Nudges, StopConsuming, WorkQueue, WorkSignal } from '../ports/work-queue.js';
import type { WorkClaim, WorkOutcome, WorkStore } from '../ports/work-store.js';
import type { AgentCatalog } from '../registry/agent-catalog.js';
import { toErrorInfo } from './error-info.js';
import { SchemaCheck } from './schema-check.js';
import { runAgentTask, type Dispatch, type TaskRunnerDeps } from './task-runner.js';

/** What a worker is built from. */
export interface WorkerOptions {
  /** This worker's identity in claims. */
  id: string;
  work: WorkStore;
  queue: WorkQueue;
  nudges: Nudges;
  catalog: AgentCatalog;
  runtimes: readonly AgentRuntime[];
  clock: Clock;
  /** The agent pools this worker serves (default `['default']`). */
  pools?: readonly string[];
  /** Tasks run at once, per pool (default 16). */
  concurrency?: number;
  /** How long a claim holds without renewal (default 30 s); renewed every third of it. */
  leaseMs?: number;
  /**
   * Live run events: a task cancelled by its run's driver is aborted at once instead of at the next renewal
   * of its claim.
   */
  bus?: EventBus;
  /** Reads the agent registry again: asked once for an agent this worker does not know (registered since). */
  refreshCatalog?: () => Promise<unknown>;
  onError?: (error: unknown) => void;
}

/**
 * The worker side of distributed execution (ADR 0004): takes "work exists" signals, claims the work in the
 * store, runs the agent exactly as the local engine would (same task runner: timeout, output schema,
 * idempotency key), keeps the claim alive while it runs, writes the checkpoints the agent saves to the work
 * item (so a worker that takes over the attempt, and the driver with the outcome, get the last one), and leaves
 * the outcome for the run's driver — only if its claim is still current, so a stale or paused worker never
 * overwrites a newer attempt. A lost claim aborts the agent.
 */
export class Worker {
  readonly #o: Required<Omit<WorkerOptions, 'bus'>> & Pick<WorkerOptions, 'bus'>;
  readonly #schemas = new SchemaCheck();
  #stop: StopConsuming | undefined;

  constructor(options: WorkerOptions) {
    this.#o = {
      pools: ['default'],
      concurrency: 16,
      leaseMs: 30_000,
      onError: () => undefined,
      refreshCatalog: () => Promise.resolve(),
      ...options,
    };
  }

  start(): void {
    this.#stop ??= this.#o.queue.consume(
      this.#o.pools,
      { concurrency: this.#o.concurrency },
      (signal, abort) => this.#handle(signal, abort),
    );
  }

  /**
   * Takes no new work and waits for running tasks; with `cancelRunning`, aborts them first (their work goes back
   * to the queue when their claims run out, and another worker runs them with the same attempt).
   */
  async stop(options: { cancelRunning?: boolean } = {}): Promise<void> {
    await this.#stop?.(options);
    this.#stop = undefined;
  }

  async #handle(signal: WorkSignal, abort: AbortSignal): Promise<void> {
    const { clock, leaseMs } = this.#o;
    const now = clock.now();
    const claim = await this.#o.work.claimWork(signal, this.#o.id, now, now + leaseMs);
    if (!claim) return; // Stale: cancelled, retried, done, or another worker holds it.
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(new CancelledError('the worker is stopping'));
    abort.addEventListener('abort', onAbort, { once: true });
    const stopRenewing = this.#keepClaim(claim, controller);
    const checkpoints = new CheckpointWrites(claim, this.#o.work, controller, this.#o.onError);
    const stopListening = this.#o.bus?.subscribe(signal.runId, (event) => {
      const ended = event.type === 'run.cancelled' || event.type === 'run.failed';
      if (ended || (event.type === 'task.cancelled' && event.taskKey === signal.taskKey)) {
        controller.abort(new CancelledError('the task was cancelled'));
      }
    });
    try {
      const outcome = await this.#run(claim, controller, checkpoints);
      // The last checkpoint is on the item before the outcome, so the driver takes both together.
      await checkpoints.settled();
      if (abort.aborted) return; // Shutting down: the claim runs out and the task runs again elsewhere.
      const completed = await this.#o.work.completeWork(claim, outcome);
      if (completed?.owner !== undefined) this.#o.nudges.nudge(completed.owner);
    } finally {
      stopRenewing();
      stopListening?.();
      abort.removeEventListener('abort', onAbort);
    }
  }

  async #run(
    claim: WorkClaim,
    controller: AbortController,
    checkpoints: CheckpointWrites,
  ): Promise<WorkOutcome> {
    const { item } = claim;
    const at = item.agent.lastIndexOf('@');
    const ref = { id: item.agent.slice(0, at), version: item.agent.slice(at + 1) };
    let agent = this.#o.catalog.resolve(ref);
    if (!agent) {
      await this.#o.refreshCatalog();
      agent = this.#o.catalog.resolve(ref);
    }
    if (!agent) {
      return {
        type: 'agent.failed',
        taskKey: item.taskKey,
        attempt: item.attempt,
        error: toErrorInfo(
          new AgentError(`this worker knows no agent ${item.agent}; register it on every worker`, {
            retryable: false,
          }),
        ),
      };
    }
    const dispatch: Dispatch = {
      type: 'dispatch',
      taskKey: item.taskKey,
      nodeId: item.taskKey,
      attempt: item.attempt,
      agent,
      input: item.input,
      timeoutMs: item.timeoutMs,
      rank: item.rank,
      ...(item.checkpoint === undefined ? {} : { checkpoint: item.checkpoint }),
    };
    const deps: TaskRunnerDeps = {
      clock: this.#o.clock,
      runtimes: this.#o.runtimes,
      schemas: this.#schemas,
      // Checkpoints go to the work item; live progress of remote tasks is not carried back yet.
      report: (input) => {
        if (input.type === 'agent.checkpoint') checkpoints.save(input.data);
      },
    };
    return runAgentTask(deps, item.runId, dispatch, controller, new Map());
  }

  /** Renews the claim every third of a lease; a renewal that finds the claim gone aborts the agent. */
  #keepClaim(claim: WorkClaim, controller: AbortController): () => void {
    let cancel: (() => void) | undefined;
    let stopped = false;
    const arm = (): void => {
      cancel = this.#o.clock.setTimer(this.#o.leaseMs / 3, () => {
        this.#o.work
          .renewWork(claim, this.#o.clock.now() + this.#o.leaseMs)
          .then((held) => {
            if (!held) controller.abort(new CancelledError('the task was cancelled or taken over'));
            else if (!stopped) arm();
          })
          .catch((error: unknown) => {
            this.#o.onError(error);
            if (!stopped) arm();
          });
      });
    };
    arm();
    return () => {
      stopped = true;
      cancel?.();
    };
  }
}

/**
 * The checkpoint writes of one claim: at most one in flight, and only the latest data saved meanwhile is written
 * next, so a chatty agent costs one store round trip at a time however often it saves. A write that finds the
 * claim gone aborts the agent, as a failed renewal does; a write that fails is reported and left to the next.
 */
class CheckpointWrites {
  #next: { data: unknown } | undefined;
  #writing: Promise<void> | undefined;
  #lost = false;

  constructor(
    private readonly claim: WorkClaim,
    private readonly work: WorkStore,
    private readonly controller: AbortController,
    private readonly onError: (error: unknown) => void,
  ) {}

  save(data: unknown): void {
    if (this.#lost) return;
    this.#next = { data: snapshot(data) };
    this.#writing ??= this.#drain();
  }

  /** Resolves once every checkpoint saved so far is written (or could not be). */
  settled(): Promise<void> {
    return this.#writing ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    // Yields first so that saves made in the same turn collapse into one write.
    await Promise.resolve();
    for (let next = this.#next; next && !this.#lost; next = this.#next) {
      this.#next = undefined;
      try {
        if (!(await this.work.saveCheckpoint(this.claim, next.data))) {
          this.#lost = true;
          this.controller.abort(new CancelledError('the task was cancelled or taken over'));
        }
      } catch (error) {
        this.onError(error);
      }
    }
    this.#writing = undefined;
  }
}

/** The data as saved: the agent may go on changing the object before it is written. */
function snapshot(data: unknown): unknown {
  try {
    return structuredClone(data);
  } catch {
    return data; // Not cloneable (a function inside): the store keeps what JSON makes of it when written.
  }
}
