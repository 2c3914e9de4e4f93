import type { CommandSettlement } from '../ports/command-store.js';
import type { WorkItem } from '../ports/work-store.js';
import type { OperatorInputType } from './engine-input.js';
import type { ErrorInfo, RunRecord, TaskRecord } from './records.js';

/** Fields every entry of a run's event log has. `seq` counts from 1 per run, without gaps. */
interface EventBase {
  runId: string;
  seq: number;
  /** Milliseconds since the epoch, from the engine's clock. */
  at: number;
}

interface TaskEventBase extends EventBase {
  taskKey: string;
  nodeId: string;
}

/**
 * The append-only event log of a run: one typed union for the engine, the store, the server, the client and
 * the UI. It feeds live views, the Gantt chart, the audit trail and replay. Names are past tense.
 */
export type RunEvent =
  | (EventBase & {
      type: 'run.created';
      workflowId: string;
      workflowVersion: string;
      input: Record<string, unknown>;
    })
  | (EventBase & { type: 'run.started' })
  | (EventBase & { type: 'run.paused'; by?: string; reason?: string })
  | (EventBase & { type: 'run.resumed'; by?: string })
  | (EventBase & { type: 'run.waiting'; on: string[] })
  | (EventBase & { type: 'run.completed'; output: Record<string, unknown>; costUsd: number })
  | (EventBase & { type: 'run.failed'; error: ErrorInfo; taskKey?: string })
  | (EventBase & { type: 'run.cancelled'; by?: string; reason?: string })
  | (TaskEventBase & { type: 'task.ready' })
  | (TaskEventBase & {
      type: 'task.started';
      attempt: number;
      agent?: string;
      input?: unknown;
      recovered?: boolean;
    })
  | (TaskEventBase & {
      type: 'task.succeeded';
      attempt: number;
      output: unknown;
      port: string;
      costUsd: number;
    })
  | (TaskEventBase & {
      type: 'task.failed';
      attempt: number;
      error: ErrorInfo;
      handledBy?: 'route' | 'continue';
    })
  | (TaskEventBase & { type: 'task.retrying'; attempt: number; error: ErrorInfo; delayMs: number })
  | (TaskEventBase & { type: 'task.skipped'; reason: 'dead_path' | 'cancelled_branch' | 'operator' })
  | (TaskEventBase & { type: 'task.cancelled'; reason: string })
  | (TaskEventBase & { type: 'task.progress'; message?: string; data?: unknown })
  | (TaskEventBase & {
      type: 'approval.requested';
      assignee: string;
      message: string;
      options: string[];
      deadline?: number;
      urgency: string;
      /** `input`: the task's agent asked something (`message`); a person answers with the `reply` decision. */
      kind?: 'input';
    })
  | (TaskEventBase & {
      type: 'approval.decided';
      decision: string;
      by: string;
      comment?: string;
      auto: boolean;
      /** The answer given with a `reply` decision to an agent's request for input. */
      reply?: unknown;
    })
  | (TaskEventBase & { type: 'timer.started'; wakeAt: number })
  | (EventBase & { type: 'event.emitted'; name: string; payload: unknown; taskKey?: string })
  | (EventBase & { type: 'vars.updated'; vars: Record<string, unknown>; taskKey?: string })
  | (TaskEventBase & { type: 'loop.iterated'; index: number; item?: unknown })
  | (TaskEventBase & { type: 'agent.selected'; agent: string; reason: string })
  /** What the error recovery decided for a failed or unavailable task, and why. */
  | (TaskEventBase & {
      type: 'task.recovery';
      action: RecoveryAction;
      reason: string;
      attempt: number;
      /** The failure recovery acted on; absent when an open circuit breaker was passed over before a dispatch. */
      error?: ErrorInfo;
      from?: string;
      to?: string;
    })
  /** Step-through mode: the task is ready and waits for `step` before it is dispatched. */
  | (TaskEventBase & { type: 'task.held'; attempt: number })
  /** An operator acted on the run: the audit record (who, when — `at` — and why). */
  | (EventBase & {
      type: 'operator.acted';
      command: OperatorInputType;
      by: string;
      reason?: string;
      taskKey?: string;
      details?: Record<string, unknown>;
    })
  | (EventBase & { type: 'rollback.started'; reason: string; compensations: string[]; by?: string })
  | (TaskEventBase & { type: 'compensation.started'; attempt: number; agent?: string; input?: unknown })
  | (TaskEventBase & { type: 'compensation.succeeded'; attempt: number; output: unknown; costUsd: number })
  | (TaskEventBase & { type: 'compensation.failed'; attempt: number; error: ErrorInfo })
  | (EventBase & { type: 'run.rolled_back'; compensated: string[] })
  | (EventBase & { type: 'run.rollback_failed'; error: ErrorInfo; compensated: string[] });

/** What error recovery did with a failure (`task.recovery`). */
/** `ask`: the agent asked a person for input, and the task waits for the answer. */
export type RecoveryAction = 'fallback' | 'wait' | 'skip' | 'escalate' | 'ask' | 'fail';

/** The `type` of every run event. */
export type RunEventType = RunEvent['type'];

/** A run event before the engine numbers and stamps it. */
export type NewRunEvent = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, 'seq' | 'runId' | 'at'>
    : never
  : never;

/** What changed in one run by one decision: the store commits deltas atomically. */
export interface RunDelta {
  runId: string;
  /** Changed run fields; absent when the run row did not change. */
  run?: Partial<Omit<RunRecord, 'id'>>;
  /** Task rows to insert or replace, whole. */
  tasks: TaskRecord[];
  events: RunEvent[];
  /** Distributed mode: dispatched attempts for the outbox, written in the same transaction (ADR 0004). */
  work?: WorkItem[];
  /** Operator commands this decision applied or refused, settled in the same transaction. */
  commands?: CommandSettlement[];
}
