import type { AgentDefinition } from '../model/agent-schema.js';
import type { ErrorInfo } from './records.js';

/**
 * What can happen to a run: the inputs of `decide`. Agent results, timers, people and operators all arrive
 * as one of these, so one pure function decides what follows.
 */
export type EngineInput =
  | { type: 'start' }
  /** The process restarted: re-dispatch in-flight tasks with the same attempt, fire timers that fell due. */
  | { type: 'recover' }
  | { type: 'agent.succeeded'; taskKey: string; attempt: number; output: unknown; costUsd: number }
  | { type: 'agent.failed'; taskKey: string; attempt: number; error: ErrorInfo }
  | { type: 'agent.progress'; taskKey: string; message?: string; data?: unknown }
  /** A running attempt saved its progress; a retried or recovered attempt of the task receives it. */
  | { type: 'agent.checkpoint'; taskKey: string; attempt: number; data: unknown }
  | { type: 'timer.fired'; taskKey: string }
  /** `reply` answers an agent's request for input (decision `reply`); other decisions ignore it. */
  | {
      type: 'approval.decide';
      taskKey: string;
      decision: string;
      by: string;
      comment?: string;
      reply?: unknown;
    }
  | { type: 'event.publish'; name: string; payload: unknown }
  /** `attempt`, when given, must be the attempt that started the child; a result of an older attempt is ignored. */
  | {
      type: 'child.completed';
      taskKey: string;
      output: Record<string, unknown>;
      costUsd: number;
      attempt?: number;
    }
  | { type: 'child.failed'; taskKey: string; error: ErrorInfo; attempt?: number }
  | OperatorInput;

/**
 * What an operator can do to a run (SDK, CLI, API). Every act is audited in the run's event log as an
 * `operator.acted` event with who and why, next to the events of its effect.
 */
export type OperatorInput =
  | { type: 'pause'; by?: string; reason?: string }
  | { type: 'resume'; by?: string; reason?: string }
  | { type: 'cancel'; by?: string; reason?: string }
  /** Sets workflow variables; the run must be paused. */
  | { type: 'vars.set'; vars: Record<string, unknown>; by?: string; reason?: string }
  /** Replaces inputs of a task that has not started yet (merged over the node's evaluated inputs); paused runs only. */
  | { type: 'task.edit-input'; taskKey: string; input: Record<string, unknown>; by?: string; reason?: string }
  /** Runs a failed task again with the next attempt: one waiting for a person after a failure (escalated). */
  | { type: 'task.retry'; taskKey: string; by?: string; reason?: string }
  /** Settles a task that has not succeeded with the given output, as if its agent had returned it. */
  | { type: 'task.skip'; taskKey: string; output?: unknown; by?: string; reason?: string }
  /** Cancels what is open and runs the compensations of completed steps in reverse completion order. */
  | { type: 'rollback'; by?: string; reason?: string }
  /** Step-through mode: dispatches the next task held before its start. */
  | { type: 'step'; by?: string };

/** The `type` of every operator input. */
export type OperatorInputType = OperatorInput['type'];

/** What the driver must do after a decision, in order, after the decision's delta is committed. */
export type EngineCommand =
  | {
      type: 'dispatch';
      taskKey: string;
      nodeId: string;
      attempt: number;
      agent: AgentDefinition;
      input: Record<string, unknown>;
      timeoutMs: number;
      /** Critical-path rank for the queue. */
      rank: number;
      checkpoint?: unknown;
    }
  | { type: 'setTimer'; taskKey: string; at: number }
  | { type: 'cancelTask'; taskKey: string; reason: string }
  /**
   * Start a child run for a subworkflow task. The same (taskKey, attempt) may be asked again after a recovery:
   * the driver derives the child's run id from `runId:taskKey:attempt` so that a repeat starts nothing new.
   * A `cancelTask` for a subworkflow task means: cancel its child run.
   */
  | {
      type: 'startChildRun';
      taskKey: string;
      attempt: number;
      workflow: { id: string; version?: string };
      input: Record<string, unknown>;
    }
  /** The run reached a final status; the driver can evict it from memory. */
  | { type: 'finished' };
