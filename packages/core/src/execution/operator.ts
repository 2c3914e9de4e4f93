import { DEFAULT_PORT } from '../model/workflow-graph.js';
import { completeTask } from './completion.js';
import type { DecisionStep } from './decision-step.js';
import type { OperatorInput } from './engine-input.js';
import { failUnhandled } from './failure.js';
import { FINAL_RUN_STATUSES } from './lifecycle.js';
import { activateAgent } from './node-handlers/agent-node.js';
import type { ErrorInfo } from './records.js';
import { answerInput } from './input-request.js';
import { isEscalated, resolveEscalation } from './recovery.js';
import { startRollback } from './rollback.js';
import { engineState, type RunState, type TaskState } from './run-state.js';
import { isSteppedThrough, nextHeld } from './step-through.js';

/** Who an operator input is recorded as when it names nobody. */
export const UNNAMED_OPERATOR = 'operator';

const refuse = (code: string, message: string): ErrorInfo => ({ code, message, retryable: false });

/**
 * Why an operator input cannot apply to the run as it is now, or undefined when it can. The engine asks before
 * it applies one, so the operator hears why; `decide` ignores a refused input.
 */
export function operatorRefusal(runState: RunState, input: OperatorInput): ErrorInfo | undefined {
  const state = engineState(runState);
  const { status } = state.run;
  if (FINAL_RUN_STATUSES.has(status)) return refuse('RUN_FINISHED', `the run is ${status}`);
  if (status === 'rolling_back' && input.type !== 'pause') {
    return refuse('RUN_ROLLING_BACK', 'the run is rolling back; it ends rolled_back or rollback_failed');
  }
  const task = 'taskKey' in input ? state.byKey.get(input.taskKey) : undefined;
  if ('taskKey' in input && !task) return refuse('NOT_FOUND', `the run has no task "${input.taskKey}"`);
  switch (input.type) {
    case 'pause':
      return status === 'running' || status === 'waiting'
        ? undefined
        : refuse('INVALID_STATE', `only a running or waiting run can be paused; it is ${status}`);
    case 'resume':
      return status === 'paused' ? undefined : refuse('INVALID_STATE', `the run is ${status}, not paused`);
    case 'cancel':
    case 'rollback':
      return undefined;
    case 'vars.set': {
      if (status !== 'paused') return refuse('INVALID_STATE', 'pause the run before editing its variables');
      const unknown = Object.keys(input.vars).filter((name) => !(name in state.workflow.variables));
      return unknown.length === 0
        ? undefined
        : refuse('NOT_FOUND', `the workflow declares no variable ${unknown.map((n) => `"${n}"`).join(', ')}`);
    }
    case 'task.edit-input':
      if (task!.info.node.type !== 'agent' || task!.row.status !== 'ready')
        return refuse(
          'INVALID_STATE',
          `only an agent task that has not started can be edited; ${task!.row.key} is ${task!.row.status}`,
        );
      return status === 'paused' || isSteppedThrough(state.run)
        ? undefined
        : refuse('INVALID_STATE', 'pause the run (or run it step by step) before editing a task');
    case 'task.retry':
      return isEscalated(task!)
        ? undefined
        : refuse(
            'INVALID_STATE',
            `only a task waiting for a person after a failure can be retried; ${task!.row.key} is ${task!.row.status}`,
          );
    case 'task.skip': {
      const { row, info } = task!;
      if (info.container || info.node.type === 'approval')
        return refuse('INVALID_STATE', `${row.key} is a ${info.node.type} node; decide or cancel it instead`);
      return row.status === 'ready' || row.status === 'running' || row.status === 'waiting'
        ? undefined
        : refuse('INVALID_STATE', `${row.key} is ${row.status}; only an open task can be skipped`);
    }
    case 'step':
      if (!isSteppedThrough(state.run)) return refuse('INVALID_STATE', 'the run is not in step-through mode');
      if (status !== 'running' && status !== 'waiting')
        return refuse('INVALID_STATE', `the run is ${status}`);
      return [...state.ready].some((t) => t.info.node.type === 'agent' && t.instance.status === 'live')
        ? undefined
        : refuse('INVALID_STATE', 'no task is held: the run is waiting for tasks in flight');
  }
}

/** Records who did what and why (`operator.acted`), the audit trail of operator acts. */
export function audit(step: DecisionStep, input: OperatorInput, details?: Record<string, unknown>): void {
  step.emit({
    type: 'operator.acted',
    command: input.type,
    by: input.by ?? UNNAMED_OPERATOR,
    ...('reason' in input && input.reason !== undefined ? { reason: input.reason } : {}),
    ...('taskKey' in input ? { taskKey: input.taskKey } : {}),
    ...(details ? { details } : {}),
  });
}

/** Applies an operator input `operatorRefusal` accepted; the run-level ones (pause, resume, cancel) live in run-lifecycle. */
export function applyTaskControl(
  step: DecisionStep,
  input: Extract<
    OperatorInput,
    { type: 'vars.set' | 'task.edit-input' | 'task.retry' | 'task.skip' | 'step' | 'rollback' }
  >,
): void {
  const { state } = step;
  switch (input.type) {
    case 'vars.set':
      audit(step, input, { vars: input.vars });
      step.setRun('vars', { ...state.run.vars, ...input.vars });
      step.emit({ type: 'vars.updated', vars: input.vars });
      return;
    case 'task.edit-input': {
      const task = state.byKey.get(input.taskKey)!;
      audit(step, input, { input: input.input });
      const edited = task.row.input;
      task.row.input = { ...(typeof edited === 'object' && edited !== null ? edited : {}), ...input.input };
      step.touch(task);
      return;
    }
    case 'task.retry': {
      const task = state.byKey.get(input.taskKey)!;
      audit(step, input);
      decideEscalation(step, task, 'retry', input.by);
      return;
    }
    case 'task.skip': {
      const task = state.byKey.get(input.taskKey)!;
      const output = input.output ?? null;
      audit(step, input, { output });
      if (isEscalated(task)) return decideEscalation(step, task, 'skip', input.by, { output });
      if (task.row.status === 'running')
        step.commands.push({ type: 'cancelTask', taskKey: task.row.key, reason: 'skipped by an operator' });
      completeTask(step, task, output, DEFAULT_PORT);
      return;
    }
    case 'step': {
      const task = nextHeld(step);
      if (!task || task.info.node.type !== 'agent') return;
      audit(step, input, { taskKey: task.row.key });
      activateAgent(step, task, task.info.node, true);
      return;
    }
    case 'rollback':
      audit(step, input);
      startRollback(
        step,
        input.reason ?? 'rollback requested by an operator',
        undefined,
        input.by ?? UNNAMED_OPERATOR,
      );
      return;
  }
}

/** What a person decides on a task that waits for them after a failure or a request for input. */
export type PersonDecision = 'retry' | 'skip' | 'abort' | 'reply';

/**
 * A decision on an escalated task or an agent's request for input, from the approval inbox or an operator's
 * retry/skip. `output` is what a skip settles the task with; `reply` the answer to the agent.
 */
export function decideEscalation(
  step: DecisionStep,
  task: TaskState,
  decision: PersonDecision,
  by: string | undefined,
  given: { output?: unknown; comment?: string | undefined; reply?: unknown } = {},
): void {
  const { row } = task;
  const who = by ?? UNNAMED_OPERATOR;
  step.emit({
    type: 'approval.decided',
    taskKey: row.key,
    nodeId: row.nodeId,
    decision,
    by: who,
    auto: false,
    ...(given.comment === undefined ? {} : { comment: given.comment }),
    ...(decision === 'reply' ? { reply: given.reply ?? null } : {}),
  });
  if (decision === 'reply') return answerInput(step, task, given.reply ?? null, who);
  resolveEscalation(
    step,
    task,
    decision,
    (error) => failUnhandled(step, task, error),
    (value, port) => completeTask(step, task, value, port),
    given.output,
  );
}
