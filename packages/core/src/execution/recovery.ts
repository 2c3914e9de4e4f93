import type { AgentDefinition } from '../model/agent-schema.js';
import type { AgentNode } from '../model/node-schema.js';
import { DEFAULT_PORT } from '../model/workflow-graph.js';
import type { DecisionStep } from './decision-step.js';
import type { ErrorInfo } from './records.js';
import { readyNextAttempt } from './readiness.js';
import type { RecoveryAction } from './run-event.js';
import type { TaskState } from './run-state.js';

/** What a person asked about a failed task can decide. */
export const ESCALATION_OPTIONS = ['retry', 'skip', 'abort'] as const;
export type EscalationDecision = (typeof ESCALATION_OPTIONS)[number];

/** Error codes that say the agent cannot serve at all, whatever the input: another agent may. */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set(['AGENT_UNAVAILABLE', 'CIRCUIT_OPEN', 'UNAVAILABLE']);

/** The agent an activation dispatches, and why when it is not the obvious one. */
export type AgentChoice =
  | { agent: AgentDefinition; reason?: string }
  | { error: ErrorInfo }
  /** Every breaker on the task's agents is open: wait until the first lets a probe through. */
  | { wait: number; error: ErrorInfo };

/** How long a task waits for a half-open breaker whose probes are all out. */
const PROBE_WAIT_MS = 1_000;

/**
 * The agents a task may use, in order: the one the node resolves to, then its alternatives (the node's
 * `fallbacks`, else agents of the same capability). Empty with `error` when not even the first resolves and
 * nothing stands in for it.
 */
function chainOf(
  step: DecisionStep,
  task: TaskState,
  node: AgentNode,
): { chain: AgentDefinition[]; reason?: string; error?: ErrorInfo } {
  const resolved = step.ctx.resolveAgent(node, task.row.key);
  const primary = 'agent' in resolved ? resolved.agent : undefined;
  const chain: AgentDefinition[] = primary ? [primary] : [];
  const seen = new Set(chain.map(ref));
  for (const alternative of step.ctx.alternatives?.(node, primary) ?? []) {
    if (seen.has(ref(alternative))) continue;
    seen.add(ref(alternative));
    chain.push(alternative);
  }
  if ('error' in resolved) return { chain, error: resolved.error };
  return resolved.reason === undefined ? { chain } : { chain, reason: resolved.reason };
}

/**
 * Picks the agent an activation dispatches: the task's current agent (the node's, or the alternative an earlier
 * failure fell back to), passing over any whose circuit breaker is open for the next alternative.
 */
export function chooseAgent(step: DecisionStep, task: TaskState, node: AgentNode): AgentChoice {
  const { chain, reason, error } = chainOf(step, task, node);
  if (chain.length === 0) return { error: error! };
  const current = task.row.agent;
  const start = Math.max(
    0,
    chain.findIndex((a) => ref(a) === current),
  );
  if (error && start === 0 && current === undefined) {
    // The node's own agent cannot be used (unknown, offline): the first alternative stands in.
    return fallBackTo(step, task, chain[0]!, `${error.code}: ${error.message}`);
  }
  for (let i = start; i < chain.length; i++) {
    const agent = chain[i]!;
    if (step.ctx.admits?.(ref(agent)) === false) continue;
    if (i === start) return reason === undefined || i > 0 ? { agent } : { agent, reason };
    const passedOver = ref(chain[start]!);
    return fallBackTo(step, task, agent, `circuit breaker of ${passedOver} is open`, passedOver);
  }
  const waiting = chain.slice(start);
  const reopen = Math.min(...waiting.map((a) => step.ctx.reopensAt?.(ref(a)) ?? step.now + PROBE_WAIT_MS));
  return {
    wait: Math.max(reopen, step.now + 1),
    error: {
      code: 'CIRCUIT_OPEN',
      message: `the circuit breakers of ${waiting.map(ref).join(', ')} are open: no agent can take the task now`,
      retryable: true,
    },
  };
}

/**
 * A task none of whose agents' breakers lets a call through waits, without spending a retry, until the first
 * of them lets probes through: a durable run rides out an outage instead of failing fast.
 */
export function waitForBreaker(step: DecisionStep, task: TaskState, at: number, error: ErrorInfo): void {
  const { row } = task;
  recovery(step, task, 'wait', error.message, {}, error);
  step.setTaskStatus(task, 'waiting');
  row.error = error;
  row.wakeAt = at;
  task.waitingFor = 'backoff';
  step.commands.push({ type: 'setTimer', taskKey: row.key, at });
}

/** The agent of an in-flight attempt, which a recovered dispatch must keep (same idempotency key). */
export function currentAgent(step: DecisionStep, task: TaskState, node: AgentNode): AgentChoice {
  const { chain, error } = chainOf(step, task, node);
  const current = chain.find((a) => ref(a) === task.row.agent) ?? chain[0];
  return current ? { agent: current } : { error: error! };
}

function fallBackTo(
  step: DecisionStep,
  task: TaskState,
  agent: AgentDefinition,
  reason: string,
  passedOver?: string,
): AgentChoice {
  const agents = passedOver === undefined ? from(task) : { from: passedOver };
  recovery(step, task, 'fallback', reason, { ...agents, to: ref(agent) });
  return { agent, reason: `fallback: ${reason}` };
}

/**
 * After a task's retries are spent, the next alternative agent takes the task as a new attempt: when the agent
 * is unavailable (any alternative, the capability lookup included), or when it still fails transiently and
 * the node names its fallbacks. A timeout or a transient failure never swaps a pinned agent for one the node
 * did not name. Returns false when there is no alternative left.
 */
export function fallBack(step: DecisionStep, task: TaskState, error: ErrorInfo): boolean {
  const node = task.info.node;
  if (node.type !== 'agent' || task.row.status !== 'running') return false;
  const named = (node.fallbacks?.length ?? 0) > 0;
  if (!UNAVAILABLE_CODES.has(error.code) && !(named && error.retryable)) return false;
  const { chain } = chainOf(step, task, node);
  const current = chain.findIndex((a) => ref(a) === task.row.agent);
  const next = chain.slice(current + 1).find((a) => step.ctx.admits?.(ref(a)) !== false);
  if (!next) return false;
  recovery(
    step,
    task,
    'fallback',
    `${error.code}: ${error.message}`,
    { ...from(task), to: ref(next) },
    error,
  );
  task.row.agent = ref(next);
  // The failed attempt ends here; the next one, on the alternative agent, starts at once.
  step.setTaskStatus(task, 'waiting');
  readyNextAttempt(step, task);
  return true;
}

/** Whether a failure nothing else handles goes to a person rather than failing the run. */
export function escalates(step: DecisionStep, task: TaskState): boolean {
  const node = task.info.node;
  if (task.info.container || node.type === 'approval') return false;
  return (
    node.onError === 'escalate' || (node.onError === undefined && !!step.state.workflow.policies.escalation)
  );
}

/**
 * Escalates a failed task: it waits for a person (`approval.requested` with retry / skip / abort), keeping the
 * error; the run waits with it. A waiting task with an error and no wake-up time is an escalated one.
 */
export function escalate(step: DecisionStep, task: TaskState, error: ErrorInfo): void {
  const { row } = task;
  recovery(step, task, 'escalate', `${error.code}: ${error.message}`, {}, error);
  waitForPerson(step, task, error, {
    message:
      step.state.workflow.policies.escalation?.message ??
      `${row.nodeId} failed after ${row.attempt} attempt(s) (${error.code}: ${error.message}). Retry it, skip it with an output, or abort the run?`,
    options: ESCALATION_OPTIONS,
    urgency: 'high',
  });
}

/**
 * The task waits, with its error and no wake-up time, for a person the escalation policy names (default
 * `operators`) to decide; the run waits with it. A restart finds it so (restore-run-state.ts).
 */
export function waitForPerson(
  step: DecisionStep,
  task: TaskState,
  error: ErrorInfo,
  request: { message: string; options: readonly string[]; urgency: string; kind?: 'input' },
): void {
  const { row } = task;
  step.setTaskStatus(task, 'waiting');
  row.error = error;
  delete row.wakeAt;
  task.waitingFor = 'escalation';
  step.emit({
    type: 'approval.requested',
    taskKey: row.key,
    nodeId: row.nodeId,
    assignee: step.state.workflow.policies.escalation?.assignee ?? 'operators',
    message: request.message,
    options: [...request.options],
    urgency: request.urgency,
    ...(request.kind === undefined ? {} : { kind: request.kind }),
  });
}

/** Whether a task waits for a person after a failure. */
export function isEscalated(task: TaskState): boolean {
  return task.waitingFor === 'escalation';
}

/**
 * A person decided an escalated task: `retry` runs it again as a new attempt, `skip` settles it with `output`
 * (null unless supplied) as if its agent had returned it, `abort` lets the failure take its course.
 */
export function resolveEscalation(
  step: DecisionStep,
  task: TaskState,
  decision: EscalationDecision,
  abort: (error: ErrorInfo) => void,
  complete: (output: unknown, port: string) => void,
  output: unknown = null,
): void {
  switch (decision) {
    case 'retry':
      readyNextAttempt(step, task);
      return;
    case 'skip':
      complete(output, DEFAULT_PORT);
      return;
    case 'abort':
      abort(
        task.row.error ?? { code: 'ABORTED', message: `${task.row.nodeId} was aborted`, retryable: false },
      );
      return;
  }
}

/** Logs what recovery decided for a task, with why. */
export function recovery(
  step: DecisionStep,
  task: TaskState,
  action: RecoveryAction,
  reason: string,
  agents: { from?: string; to?: string } = {},
  error?: ErrorInfo,
): void {
  const { row } = task;
  step.emit({
    type: 'task.recovery',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    action,
    reason,
    ...(error === undefined ? {} : { error }),
    ...agents,
  });
}

function from(task: TaskState): { from?: string } {
  return task.row.agent === undefined ? {} : { from: task.row.agent };
}

function ref(agent: AgentDefinition): string {
  return `${agent.id}@${agent.version}`;
}
