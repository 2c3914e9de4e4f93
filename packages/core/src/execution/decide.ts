import { consumption, deadlineReached, enforceBudget, RUN_DEADLINE_KEY } from './budget.js';
import type { DecideContext, Decision } from './decision-step.js';
import { DecisionStep, noDecision } from './decision-step.js';
import type { EngineInput, OperatorInput, OperatorInputType } from './engine-input.js';
import {
  applyTaskControl,
  audit,
  decideEscalation,
  operatorRefusal,
  type PersonDecision,
} from './operator.js';
import { personOptions } from './input-request.js';
import { isEscalated } from './recovery.js';
import { compensationInput, recoverRollback } from './rollback.js';
import { FINAL_RUN_STATUSES } from './lifecycle.js';
import {
  activateAgent,
  agentFailed,
  agentProgress,
  agentCheckpoint,
  agentSucceeded,
} from './node-handlers/agent-node.js';
import { activateApproval, approvalDeadline, approvalDecided } from './node-handlers/approval-node.js';
import { runConditional, runEmit, runTransform } from './node-handlers/inline-nodes.js';
import { activateLoop, iterationDone, iterationFailed } from './node-handlers/loop-node.js';
import { activateParallel, branchDone, branchFailed } from './node-handlers/parallel-node.js';
import { activateSubworkflow, childCompleted, childFailed } from './node-handlers/subworkflow-node.js';
import { activateWait, publishEvent, waitTimerFired } from './node-handlers/wait-node.js';
import { propagate, readyNextAttempt } from './readiness.js';
import type { ErrorInfo } from './records.js';
import {
  cancelRun,
  completeRun,
  failRun,
  pauseRun,
  recoverRun,
  resumeRun,
  startRun,
  updateActivity,
} from './run-lifecycle.js';
import { engineState, type RunState, type ScopeInstance, type TaskState } from './run-state.js';

/**
 * The pure core of the engine (DESIGN §4, docs/adr/0003): what follows from one input to one run. Returns the
 * delta to commit — changed run fields, whole changed task rows, new events numbered on from the state's last
 * `seq` and stamped `ctx.now` — and the commands to perform after the commit.
 *
 * `decide` owns `state` and changes it in place: no copy of the run per step, so a step costs the same however
 * large the run's context has grown. It throws only on a bug: whatever a workflow or an agent does (a failing
 * expression, an unknown agent, a stale or unexpected input) ends up in the delta, or changes nothing.
 */
export function decide(state: RunState, input: EngineInput, ctx: DecideContext): Decision {
  const engine = engineState(state);
  const { status, id } = engine.run;
  if (FINAL_RUN_STATUSES.has(status)) return noDecision(id);
  const startable = input.type === 'start' || input.type === 'recover' || input.type === 'cancel';
  if (status === 'queued' && !startable) return noDecision(id);
  if (isOperatorInput(input) && operatorRefusal(engine, input)) return noDecision(id);
  const step = new DecisionStep(engine, ctx);
  if (status === 'rolling_back') {
    if (input.type === 'recover') recoverRollback(step);
    else compensationInput(step, input);
    return step.result();
  }
  const before = engine.budget ? consumption(engine) : undefined;
  apply(step, input);
  drain(step);
  if (before && !step.finished) enforceBudget(step, before);
  if (!step.finished) updateActivity(step);
  return step.result();
}

function apply(step: DecisionStep, input: EngineInput): void {
  switch (input.type) {
    case 'start':
      return startRun(step);
    case 'recover':
      return recoverRun(step);
    case 'agent.succeeded':
      return agentSucceeded(step, input);
    case 'agent.failed':
      return agentFailed(step, input);
    case 'agent.progress':
      return agentProgress(step, input);
    case 'agent.checkpoint':
      return agentCheckpoint(step, input);
    case 'timer.fired':
      if (input.taskKey === RUN_DEADLINE_KEY) return deadlineReached(step);
      return timerFired(step, input.taskKey);
    case 'approval.decide': {
      const task = step.state.byKey.get(input.taskKey);
      if (task && isEscalated(task)) {
        if (!personOptions(task.row.error).includes(input.decision)) return;
        if (input.decision === 'reply' && input.reply === undefined) return;
        const { comment, reply } = input;
        return decideEscalation(step, task, input.decision as PersonDecision, input.by, { comment, reply });
      }
      return approvalDecided(step, input);
    }
    case 'event.publish':
      step.emit({ type: 'event.emitted', name: input.name, payload: input.payload });
      return publishEvent(step, input.name, input.payload);
    case 'child.completed':
      return childCompleted(step, input);
    case 'child.failed':
      return childFailed(step, input);
    case 'pause':
      audit(step, input);
      return pauseRun(step, input);
    case 'resume':
      audit(step, input);
      return resumeRun(step, input);
    case 'cancel':
      audit(step, input);
      return cancelRun(step, input);
    case 'vars.set':
    case 'task.edit-input':
    case 'task.retry':
    case 'task.skip':
    case 'step':
    case 'rollback':
      return applyTaskControl(step, input);
  }
}

const OPERATOR_INPUTS: ReadonlySet<string> = new Set<OperatorInputType>([
  'pause',
  'resume',
  'cancel',
  'vars.set',
  'task.edit-input',
  'task.retry',
  'task.skip',
  'rollback',
  'step',
]);

export function isOperatorInput(input: EngineInput): input is OperatorInput {
  return OPERATOR_INPUTS.has(input.type);
}

/** A timer fired. Timers are never cancelled, so one for a task that no longer waits on it changes nothing. */
function timerFired(step: DecisionStep, taskKey: string): void {
  const task = step.state.byKey.get(taskKey);
  if (task?.row.status !== 'waiting' || task.row.wakeAt === undefined) return;
  const node = task.info.node;
  switch (task.waitingFor) {
    case 'backoff':
      return readyNextAttempt(step, task);
    case 'timer':
    case 'event':
      if (node.type === 'wait') waitTimerFired(step, task, node);
      return;
    case 'approval':
      if (node.type === 'approval') approvalDeadline(step, task, node);
      return;
    case 'child':
    case 'escalation':
    case undefined:
      return;
  }
}

/** Works the queue until nothing is left or the run ended. */
function drain(step: DecisionStep): void {
  const work = step.work;
  for (let i = 0; i < work.length && !step.finished; i++) {
    const item = work[i]!;
    switch (item.kind) {
      case 'activate':
        activate(step, item.task);
        break;
      case 'settled':
        propagate(step, item.task);
        break;
      case 'scopeDone':
        scopeDone(step, item.instance);
        break;
      case 'scopeFailed':
        scopeFailed(step, item.instance, item.error, item.origin);
        break;
    }
  }
}

function activate(step: DecisionStep, task: TaskState): void {
  if (task.row.status !== 'ready' || step.paused || task.instance.status !== 'live') return;
  const node = task.info.node;
  switch (node.type) {
    case 'agent':
      return activateAgent(step, task, node);
    case 'transform':
      return runTransform(step, task, node);
    case 'conditional':
      return runConditional(step, task, node);
    case 'emit':
      return runEmit(step, task, node);
    case 'wait':
      return activateWait(step, task, node);
    case 'approval':
      return activateApproval(step, task, node);
    case 'subworkflow':
      return activateSubworkflow(step, task, node);
    case 'loop':
      return activateLoop(step, task, node);
    case 'parallel':
      return activateParallel(step, task, node);
  }
}

function scopeDone(step: DecisionStep, instance: ScopeInstance): void {
  const node = instance.owner?.info.node;
  if (!node) completeRun(step, instance);
  else if (node.type === 'loop') iterationDone(step, instance, node);
  else if (node.type === 'parallel') branchDone(step, instance, node);
}

function scopeFailed(step: DecisionStep, instance: ScopeInstance, error: ErrorInfo, origin: string): void {
  const node = instance.owner?.info.node;
  if (!node) failRun(step, error, origin);
  else if (node.type === 'loop') iterationFailed(step, instance, error, origin);
  else if (node.type === 'parallel') branchFailed(step, instance, error, origin, node);
}
