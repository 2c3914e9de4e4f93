import type { AgentRuntime } from '../ports/agent-runtime.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { IdSource } from '../ports/id-source.js';
import type { Store } from '../ports/store.js';
import type { AgentCatalog } from '../registry/agent-catalog.js';
import type { BreakerPolicy } from './circuit-breakers.js';
import type { RemoteExecution } from './remote-execution.js';

/** What an engine is built from. Everything with I/O or time comes in through a port. */
export interface EngineOptions {
  store: Store;
  clock: Clock;
  ids: IdSource;
  catalog: AgentCatalog;
  runtimes: readonly AgentRuntime[];
  bus?: EventBus;
  /** This process's identity for run leases. */
  owner?: string;
  /** Agent tasks running at once in this process (default 256). */
  concurrency?: number;
  /** How long a claim on a run holds without renewal (default 30 s). */
  leaseMs?: number;
  /** Called when the engine cannot go on with a run (the store failed). */
  onError?: (error: unknown) => void;
  /**
   * Whether the process behind an owner id is known to be gone (e.g. a crashed process on this machine).
   * Its runs are taken over at once instead of when its lease runs out.
   */
  isOwnerGone?: (owner: string) => boolean;
  /**
   * Distributed mode (ADR 0004): agent tasks are written to the outbox with the decision that dispatched them
   * and run by workers in other processes; their outcomes come back through the store. Without it, agents run
   * in this process.
   */
  remote?: RemoteExecution;
  /** How circuit breakers trip and recover (defaults: DEFAULT_BREAKER_POLICY). */
  breaker?: Partial<BreakerPolicy>;
  /** How often the operator-command inbox is read (ms, default 50): how soon a command from another process applies. */
  commandPollMs?: number;
  /** How long `send` waits for another process to apply a command (ms, default 10 s). */
  commandTimeoutMs?: number;
  /** Limits per org, by org id (`default` for runs that name none). */
  orgLimits?: Readonly<Record<string, OrgLimits>>;
}

/**
 * Limits on the runs of one org. `maxConcurrentTasks` holds across all its runs in this process; the others
 * cap each run's own budget (the lower of the org's and the workflow's limit applies).
 */
export interface OrgLimits {
  maxConcurrentTasks?: number;
  maxCostUsd?: number;
  maxTasks?: number;
  maxDurationMs?: number;
  /** What a run past an org cap does when its workflow does not say: `fail` (default) or `pause`. */
  onExceeded?: 'fail' | 'pause';
}

/** The label that names a run's org; runs without one belong to `default`. */
export const ORG_LABEL = 'baton.org';

/** Options of one run. */
export interface StartRunOptions {
  /** A run id chosen by the caller (child runs derive theirs from the parent task, so a repeat is harmless). */
  runId?: string;
  priority?: number;
  labels?: Record<string, string>;
  parent?: { runId: string; taskKey: string };
  /** Hold every agent task when it becomes ready until an operator's `step` dispatches it. */
  stepThrough?: boolean;
  /** The org the run belongs to (its `baton.org` label); its `orgLimits` apply. */
  org?: string;
}
