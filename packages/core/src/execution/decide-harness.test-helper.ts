import {
  AgentDefinitionSchema,
  type AgentDefinition,
  type AgentDefinitionInput,
} from '../model/agent-schema.js';
import type { AgentNode } from '../model/node-schema.js';
import { WorkflowSchema, type Workflow, type WorkflowInput } from '../model/workflow-schema.js';
import { decide } from './decide.js';
import type { DecideContext, Decision } from './decision-step.js';
import type { EngineCommand, EngineInput } from './engine-input.js';
import {
  canTransitionRun,
  canTransitionTask,
  FINAL_RUN_STATUSES,
  type RunStatus,
  type TaskStatus,
} from './lifecycle.js';
import type { ErrorInfo, RunRecord, TaskRecord } from './records.js';
import { createRunState } from './restore-run-state.js';
import type { RunEvent } from './run-event.js';
import type { RunState } from './run-state.js';

/** The status an event moves its task to, for checking every delta against the task state machine. */
const TASK_EVENT_STATUS: Partial<Record<RunEvent['type'], TaskStatus>> = {
  'task.ready': 'ready',
  'task.started': 'running',
  'task.succeeded': 'succeeded',
  'task.failed': 'failed',
  'task.retrying': 'waiting',
  'task.skipped': 'skipped',
  'task.cancelled': 'cancelled',
  'approval.requested': 'waiting',
  'timer.started': 'waiting',
  // Recovery takes a task out of its attempt: to a fallback agent's attempt, a skip, an escalation or a failure.
  'task.recovery': 'waiting',
};

const RUN_EVENT_STATUS: Partial<Record<RunEvent['type'], RunStatus>> = {
  'run.started': 'running',
  'run.paused': 'paused',
  'run.resumed': 'running',
  'run.waiting': 'waiting',
  'rollback.started': 'rolling_back',
  'run.rolled_back': 'rolled_back',
  'run.rollback_failed': 'rollback_failed',
  'run.completed': 'completed',
  'run.failed': 'failed',
  'run.cancelled': 'cancelled',
};

/** A parsed agent definition with sensible defaults. */
export function agentDef(id: string, overrides: Partial<AgentDefinitionInput> = {}): AgentDefinition {
  return AgentDefinitionSchema.parse({
    id,
    name: id,
    version: '1.0.0',
    kind: 'builtin',
    capabilities: { domain: 'operations', skills: ['work'] },
    performance: {
      avgLatency: 100,
      successRate: 99,
      throughput: 100,
      costPerExecution: 0.01,
      reliability: 99,
    },
    config: { maxConcurrency: 4, timeout: 30_000, retryPolicy: { maxRetries: 0, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  });
}

/** A parsed workflow from its nodes, edges and any other fields. */
export function workflowOf(
  nodes: unknown[],
  edges: [string, string, string?][] = [],
  rest: Partial<WorkflowInput> = {},
): Workflow {
  return WorkflowSchema.parse({
    id: 'wf',
    name: 'wf',
    version: '1.0.0',
    nodes,
    edges: edges.map(([from, to, port]) => (port === undefined ? { from, to } : { from, to, port })),
    ...rest,
  });
}

/** Shorthands for nodes. */
export const agent = (id: string, extra: Record<string, unknown> = {}): unknown => ({
  id,
  type: 'agent',
  agent: { id: 'worker' },
  ...extra,
});
export const transform = (
  id: string,
  set: Record<string, string>,
  extra: Record<string, unknown> = {},
): unknown => ({
  id,
  type: 'transform',
  set,
  ...extra,
});

export interface HarnessOptions {
  input?: Record<string, unknown>;
  agents?: AgentDefinition[];
  start?: number;
  resolveAgent?: DecideContext['resolveAgent'];
  alternatives?: DecideContext['alternatives'];
  admits?: DecideContext['admits'];
  labels?: Record<string, string>;
  vars?: Record<string, unknown>;
}

/**
 * Drives `decide` like a driver would, without one: keeps the committed rows and the event log, and checks
 * every delta — consecutive `seq`, `at` equal to the decision's time, every task and run change allowed by
 * the state machines, `finished` exactly when the run ends.
 */
export class RunHarness {
  readonly workflow: Workflow;
  state: RunState;
  now: number;
  readonly rows = new Map<string, TaskRecord>();
  readonly events: RunEvent[] = [];
  run: RunRecord;
  readonly agents = new Map<string, AgentDefinition>();
  readonly resolveAgent: DecideContext['resolveAgent'];
  readonly ctx: Omit<DecideContext, 'now'>;
  last: Decision | undefined;

  constructor(workflow: Workflow, options: HarnessOptions = {}) {
    this.workflow = workflow;
    this.now = options.start ?? Date.UTC(2026, 0, 1);
    for (const a of options.agents ?? [agentDef('worker')]) this.agents.set(a.id, a);
    this.resolveAgent = options.resolveAgent ?? ((node) => this.#resolve(node));
    this.ctx = {
      resolveAgent: this.resolveAgent,
      ...(options.alternatives ? { alternatives: options.alternatives } : {}),
      ...(options.admits ? { admits: options.admits } : {}),
    };
    this.run = {
      id: 'run-1',
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      status: 'queued',
      priority: 50,
      input: options.input ?? {},
      vars:
        options.vars ??
        Object.fromEntries(Object.entries(workflow.variables).map(([k, v]) => [k, v.default ?? null])),
      costUsd: 0,
      createdAt: this.now,
      ...(options.labels ? { labels: options.labels } : {}),
    };
    this.state = createRunState(workflow, this.run, [], 0);
  }

  #resolve(node: AgentNode): { agent: AgentDefinition; reason?: string } | { error: ErrorInfo } {
    if (node.agent) {
      const found = this.agents.get(node.agent.id);
      return found
        ? { agent: found }
        : { error: { code: 'NOT_FOUND', message: `no agent ${node.agent.id}`, retryable: false } };
    }
    const skill = node.select?.skills[0] ?? '';
    const found = [...this.agents.values()].find((a) => a.capabilities.skills.includes(skill));
    return found
      ? { agent: found, reason: `only agent with ${skill}` }
      : { error: { code: 'NOT_FOUND', message: `no agent offers ${skill}`, retryable: false } };
  }

  /** Sends one input at the current time (or `at`), checks and applies the decision. */
  send(input: EngineInput, at?: number): Decision {
    if (at !== undefined) this.now = at;
    const before = this.run.status;
    const decision = decide(this.state, input, { ...this.ctx, now: this.now });
    this.#check(decision, before);
    for (const row of decision.delta.tasks) this.rows.set(row.key, row);
    this.events.push(...decision.delta.events);
    if (decision.delta.run) this.run = { ...this.run, ...decision.delta.run };
    this.last = decision;
    return decision;
  }

  start(): Decision {
    return this.send({ type: 'start' });
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  task(key: string): TaskRecord {
    const row = this.rows.get(key);
    if (!row) throw new Error(`no task "${key}"; tasks: ${[...this.rows.keys()].join(', ')}`);
    return row;
  }

  status(key: string): TaskStatus | undefined {
    return this.rows.get(key)?.status;
  }

  /** Completes the current attempt of an agent task. */
  succeed(key: string, output: unknown = { ok: true }, costUsd = 0): Decision {
    return this.send({
      type: 'agent.succeeded',
      taskKey: key,
      attempt: this.task(key).attempt,
      output,
      costUsd,
    });
  }

  fail(key: string, error: Partial<ErrorInfo> = {}): Decision {
    const info: ErrorInfo = { code: 'AGENT_FAILED', message: 'boom', retryable: false, ...error };
    return this.send({ type: 'agent.failed', taskKey: key, attempt: this.task(key).attempt, error: info });
  }

  /** Fires the timer of a waiting task at its wake time. */
  fireTimer(key: string): Decision {
    const wakeAt = this.task(key).wakeAt;
    if (wakeAt === undefined) throw new Error(`task "${key}" has no timer`);
    this.now = Math.max(this.now, wakeAt);
    return this.send({ type: 'timer.fired', taskKey: key });
  }

  /** Rebuilds the state from the committed rows, as after a restart. */
  restart(): void {
    const lastSeq = this.events.at(-1)?.seq ?? 0;
    this.state = createRunState(this.workflow, this.run, [...this.rows.values()], lastSeq);
  }

  eventTypes(decision: Decision | undefined = this.last): string[] {
    return (decision?.delta.events ?? []).map((e) =>
      e.type.startsWith('task.') || e.type.startsWith('approval.')
        ? `${e.type}:${(e as { taskKey: string }).taskKey}`
        : e.type,
    );
  }

  #check(decision: Decision, before: RunStatus): void {
    const { delta, commands } = decision;
    let seq = this.events.at(-1)?.seq ?? 0;
    for (const event of delta.events) {
      if (event.seq !== ++seq) throw new Error(`event ${event.type} has seq ${event.seq}, expected ${seq}`);
      if (event.at !== this.now)
        throw new Error(`event ${event.type} is stamped ${event.at}, not ${this.now}`);
      if (event.runId !== this.run.id) throw new Error(`event ${event.type} names run ${event.runId}`);
    }
    const keys = new Set<string>();
    for (const row of delta.tasks) {
      if (keys.has(row.key)) throw new Error(`task "${row.key}" appears twice in one delta`);
      keys.add(row.key);
      // Compensation rows follow the rollback's own order (rollback.ts), not the task state machine.
      if (row.key.endsWith('~undo')) continue;
      let status: TaskStatus = this.rows.get(row.key)?.status ?? 'pending';
      const path = [status];
      const moves = delta.events.flatMap((e) =>
        'taskKey' in e && e.taskKey === row.key && TASK_EVENT_STATUS[e.type]
          ? [TASK_EVENT_STATUS[e.type] as TaskStatus]
          : [],
      );
      // The row's status is where the events lead, unless it moved on without an event of its own.
      const steps =
        moves.at(-1) === row.status || (moves.length === 0 && row.status === status)
          ? moves
          : [...moves, row.status];
      for (const to of steps) {
        if (!canTransitionTask(status, to))
          throw new Error(`task "${row.key}" moved ${[...path, to].join(' → ')}`);
        path.push(to);
        status = to;
      }
      if (status !== row.status)
        throw new Error(`task "${row.key}" is ${row.status} but its events say ${status}`);
    }
    let run = before;
    for (const event of delta.events) {
      const to = RUN_EVENT_STATUS[event.type];
      if (to === undefined) continue;
      if (!canTransitionRun(run, to)) throw new Error(`run moved ${run} → ${to}`);
      run = to;
    }
    const after = delta.run?.status ?? before;
    if (after !== run) throw new Error(`run row says ${after} but its events say ${run}`);
    const finished = commands.filter((c) => c.type === 'finished').length;
    const ended = FINAL_RUN_STATUSES.has(after) && !FINAL_RUN_STATUSES.has(before);
    if (finished !== (ended ? 1 : 0))
      throw new Error(`${finished} finished commands for a run that went ${before} → ${after}`);
  }
}

/** The commands of a decision of one type. */
export function commandsOf<T extends EngineCommand['type']>(
  decision: Decision | undefined,
  type: T,
): Extract<EngineCommand, { type: T }>[] {
  return (decision?.commands ?? []).filter((c): c is Extract<EngineCommand, { type: T }> => c.type === type);
}

/** The task keys of a decision's dispatch commands. */
export function dispatched(decision: Decision | undefined): string[] {
  return commandsOf(decision, 'dispatch').map((c) => c.taskKey);
}
