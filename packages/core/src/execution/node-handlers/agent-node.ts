import { resolveTemplates } from '../../expr/index.js';
import type { AgentDefinition } from '../../model/agent-schema.js';
import type { AgentNode } from '../../model/node-schema.js';
import { DEFAULT_PORT } from '../../model/workflow-graph.js';
import { completeTask } from '../completion.js';
import { expressionFailure, type DecisionStep } from '../decision-step.js';
import type { EngineCommand, EngineInput } from '../engine-input.js';
import { failTask } from '../failure.js';
import { chooseAgent, currentAgent, waitForBreaker } from '../recovery.js';
import type { TaskState } from '../run-state.js';
import { isSteppedThrough } from '../step-through.js';

type Resolved = { agent: AgentDefinition; reason?: string };

/**
 * Runs an agent task: chooses its agent (circuit breakers and fallbacks apply) and evaluates its inputs — an
 * operator's edit of a task that had not started is laid over them — then asks the driver to dispatch it. In
 * step-through mode the task is held, ready, until an operator's `step`.
 */
export function activateAgent(step: DecisionStep, task: TaskState, node: AgentNode, release = false): void {
  if (!release && isSteppedThrough(step.state.run)) {
    step.emit({
      type: 'task.held',
      taskKey: task.row.key,
      nodeId: task.row.nodeId,
      attempt: task.row.attempt,
    });
    return;
  }
  const resolved = chooseAgent(step, task, node);
  if ('wait' in resolved) return waitForBreaker(step, task, resolved.wait, resolved.error);
  if ('error' in resolved) {
    failTask(step, task, resolved.error);
    return;
  }
  let input: Record<string, unknown>;
  try {
    input = resolveTemplates(node.inputs, step.scope(task.instance), step.evalOptions) as Record<
      string,
      unknown
    >;
  } catch (error) {
    failTask(step, task, expressionFailure(error));
    return;
  }
  const edited = task.row.input;
  if (isRecord(edited)) input = { ...input, ...edited };
  dispatch(step, task, node, resolved, input, false);
}

/** Dispatches an in-flight attempt again after a restart: same attempt, agent and input (same idempotency key). */
export function redispatchAgent(step: DecisionStep, task: TaskState, node: AgentNode): void {
  const resolved = currentAgent(step, task, node);
  if ('error' in resolved) {
    failTask(step, task, resolved.error);
    return;
  }
  const stored = task.row.input;
  dispatch(step, task, node, resolved, isRecord(stored) ? stored : {}, true);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dispatch(
  step: DecisionStep,
  task: TaskState,
  node: AgentNode,
  resolved: Resolved,
  input: Record<string, unknown>,
  recovered: boolean,
): void {
  const { row } = task;
  const { agent } = resolved;
  const agentRef = `${agent.id}@${agent.version}`;
  task.agent = agent;
  step.setTaskStatus(task, 'running');
  row.agent = agentRef;
  row.input = input;
  if (!recovered) row.startedAt = step.now;
  if (resolved.reason !== undefined) {
    step.emit({
      type: 'agent.selected',
      taskKey: row.key,
      nodeId: row.nodeId,
      agent: agentRef,
      reason: resolved.reason,
    });
  }
  step.emit({
    type: 'task.started',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    agent: agentRef,
    input,
    ...(recovered ? { recovered: true } : {}),
  });
  const { policies } = step.state.workflow;
  const command: EngineCommand = {
    type: 'dispatch',
    taskKey: row.key,
    nodeId: row.nodeId,
    attempt: row.attempt,
    agent,
    input,
    timeoutMs: node.timeoutMs ?? policies.timeoutMs ?? agent.config.timeout,
    rank: task.info.rank,
  };
  if (row.checkpoint !== undefined) command.checkpoint = row.checkpoint;
  step.commands.push(command);
}

/** The agent task an agent result is for, or undefined when the result is stale (another attempt, or settled). */
function currentAttempt(step: DecisionStep, taskKey: string, attempt: number): TaskState | undefined {
  const task = step.state.byKey.get(taskKey);
  if (!task || task.info.node.type !== 'agent') return undefined;
  return task.row.status === 'running' && task.row.attempt === attempt ? task : undefined;
}

/** An agent returned: record its cost and complete the task. */
export function agentSucceeded(
  step: DecisionStep,
  input: Extract<EngineInput, { type: 'agent.succeeded' }>,
): void {
  const task = currentAttempt(step, input.taskKey, input.attempt);
  if (!task) return;
  step.addCost(task, input.costUsd);
  completeTask(step, task, input.output, DEFAULT_PORT);
}

/** An agent failed (or timed out): retry, route or fail. */
export function agentFailed(step: DecisionStep, input: Extract<EngineInput, { type: 'agent.failed' }>): void {
  const task = currentAttempt(step, input.taskKey, input.attempt);
  if (task) failTask(step, task, input.error);
}

/** An agent reported progress: logged as `task.progress`; the task row does not change. */
export function agentProgress(
  step: DecisionStep,
  input: Extract<EngineInput, { type: 'agent.progress' }>,
): void {
  const task = step.state.byKey.get(input.taskKey);
  if (task?.row.status !== 'running' || task.info.node.type !== 'agent') return;
  step.emit({
    type: 'task.progress',
    taskKey: task.row.key,
    nodeId: task.row.nodeId,
    ...(input.message === undefined ? {} : { message: input.message }),
    ...(input.data === undefined ? {} : { data: input.data }),
  });
}

/**
 * A running attempt saved its progress: kept on the task row (committed like any step), so the next attempt —
 * a retry, or the same attempt after a crash — starts from it. A checkpoint of a stale attempt is ignored.
 */
export function agentCheckpoint(
  step: DecisionStep,
  input: Extract<EngineInput, { type: 'agent.checkpoint' }>,
): void {
  const task = currentAttempt(step, input.taskKey, input.attempt);
  if (!task) return;
  task.row.checkpoint = input.data;
  step.touch(task);
}
