import { ExpressionError } from '../errors/errors.js';
import type { EvalOptions } from '../expr/index.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { AgentNode } from '../model/node-schema.js';
import type { EngineCommand } from './engine-input.js';
import { assertRunTransition, FINAL_RUN_STATUSES, type RunStatus, type TaskStatus } from './lifecycle.js';
import type { ErrorInfo, RunRecord, TaskRecord } from './records.js';
import type { NewRunEvent, RunDelta, RunEvent } from './run-event.js';
import type { EngineRunState, ScopeInstance, TaskState } from './run-state.js';
import { expressionScope } from './scope-view.js';

/** Everything `decide` needs from outside, all pure lookups. */
export interface DecideContext {
  /** Milliseconds since the epoch for this decision: events are stamped with it, and expressions' `now()` reads it. */
  now: number;
  /** Resolves the agent of an agent node for a task (pinned ref or capability query); an ErrorInfo when none can be used. */
  resolveAgent(
    node: AgentNode,
    taskKey: string,
  ): { agent: AgentDefinition; reason?: string } | { error: ErrorInfo };
  /**
   * Agents that may stand in for the node's agent when it is unavailable, best first: the node's `fallbacks`,
   * else active agents offering the same capability. Absent: no alternatives.
   */
  alternatives?(node: AgentNode, primary: AgentDefinition | undefined): readonly AgentDefinition[];
  /** Whether the circuit breaker of an agent version (`id@version`) lets a call through now. Absent: always. */
  admits?(agentRef: string): boolean;
  /** When an open breaker of an agent version lets probes through; undefined when it is not open. */
  reopensAt?(agentRef: string): number | undefined;
}

/** What one input changed (to commit) and what the driver must do next (after the commit). */
export interface Decision {
  delta: RunDelta;
  commands: EngineCommand[];
}

/** Work left to do within one decision. A queue rather than recursion keeps long chains off the stack. */
export type Work =
  /** A task became ready: run its node (unless the run is paused). */
  | { kind: 'activate'; task: TaskState }
  /** A task settled with a port (or was skipped): count its outgoing edges. */
  | { kind: 'settled'; task: TaskState }
  /** Every node of a scope instance settled. */
  | { kind: 'scopeDone'; instance: ScopeInstance }
  /** A failure inside a scope instance that nothing in it handles. */
  | { kind: 'scopeFailed'; instance: ScopeInstance; error: ErrorInfo; origin: string };

/** One decision in the making: the state it changes, and the delta and commands it collects. */
export class DecisionStep {
  readonly state: EngineRunState;
  readonly ctx: DecideContext;
  readonly now: number;
  readonly evalOptions: EvalOptions;
  readonly events: RunEvent[] = [];
  readonly commands: EngineCommand[] = [];
  readonly work: Work[] = [];
  readonly #dirty = new Set<TaskState>();
  /** Changed rows that belong to no scope (compensations). */
  readonly #rows = new Set<TaskRecord>();
  #run: Partial<Omit<RunRecord, 'id'>> | undefined;

  constructor(state: EngineRunState, ctx: DecideContext) {
    this.state = state;
    this.ctx = ctx;
    const now = ctx.now;
    this.now = now;
    this.evalOptions = { now: () => now };
  }

  /** Numbers, stamps and records an event. Callers pass a fresh literal; it becomes the event. */
  emit(event: NewRunEvent): void {
    // Stamping the literal in place: copying it with a spread costs a third of a step.
    const stamped = event as RunEvent;
    stamped.runId = this.state.run.id;
    stamped.seq = ++this.state.seq;
    stamped.at = this.now;
    this.events.push(stamped);
  }

  setTaskStatus(task: TaskState, to: TaskStatus): void {
    this.state.setStatus(task, to);
    this.#dirty.add(task);
  }

  /** Changes one run field and records it in the delta. */
  setRun<K extends Exclude<keyof RunRecord, 'id' | 'status'>>(
    field: K,
    value: NonNullable<RunRecord[K]>,
  ): void {
    this.state.run[field] = value;
    (this.#run ??= {})[field] = value;
  }

  setRunStatus(to: RunStatus): void {
    const run = this.state.run;
    assertRunTransition(run.status, to);
    run.status = to;
    (this.#run ??= {}).status = to;
  }

  push(work: Work): void {
    this.work.push(work);
  }

  /** The scope expressions of `instance` read; `extra` adds `output` or `event`. */
  scope(instance: ScopeInstance, extra?: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return expressionScope(this.state, instance, extra);
  }

  /** Adds to the cost of a task and of the run. */
  addCost(task: TaskState, costUsd: number): void {
    if (!(costUsd > 0)) return;
    task.row.costUsd += costUsd;
    this.#dirty.add(task);
    this.setRun('costUsd', this.state.run.costUsd + costUsd);
  }

  /** Marks a row outside the workflow's scopes (a compensation) changed, so the decision writes it. */
  writeRow(row: TaskRecord): void {
    this.#rows.add(row);
  }

  /** Marks a task row changed in place (a saved checkpoint), so the decision writes it. */
  touch(task: TaskState): void {
    this.#dirty.add(task);
  }

  get paused(): boolean {
    return this.state.run.status === 'paused';
  }

  /** The workflow's own work is over: the run ended, or it is rolling back (only compensations run now). */
  get finished(): boolean {
    const status = this.state.run.status;
    return FINAL_RUN_STATUSES.has(status) || status === 'rolling_back';
  }

  /** The delta and commands, task rows copied so that later decisions cannot change what this one reports. */
  result(): Decision {
    const tasks: TaskRecord[] = [];
    for (const task of this.#dirty) tasks.push({ ...task.row });
    for (const row of this.#rows) tasks.push({ ...row });
    const delta: RunDelta = { runId: this.state.run.id, tasks, events: this.events };
    if (this.#run) delta.run = this.#run;
    return { delta, commands: this.commands };
  }
}

/** The stored form of an expression failure; anything else is a bug and is thrown on. */
export function expressionFailure(error: unknown): ErrorInfo {
  if (!(error instanceof ExpressionError)) throw error;
  const info: ErrorInfo = { code: error.code, message: error.message, retryable: false };
  if (error.index !== undefined) info.details = { index: error.index };
  return info;
}

/** An error the engine itself raises for a task (a timeout, a rejection, a limit). */
export function engineError(code: string, message: string, details?: Record<string, unknown>): ErrorInfo {
  const info: ErrorInfo = { code, message, retryable: false };
  if (details) info.details = details;
  return info;
}

/** An empty decision: nothing changed, nothing to do. */
export function noDecision(runId: string): Decision {
  return { delta: { runId, tasks: [], events: [] }, commands: [] };
}
