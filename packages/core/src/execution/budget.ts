import type { DecisionStep } from './decision-step.js';
import type { ErrorInfo } from './records.js';
import { failRun, pauseRun } from './run-lifecycle.js';
import type { EngineRunState } from './run-state.js';

/** What a run had consumed before a decision, for telling whether the decision crossed a budget limit. */
export interface Consumption {
  costUsd: number;
  tasks: number;
}

/** Tasks that have started in the run (every node type), counted only when a limit needs it. */
function startedTasks(state: EngineRunState): number {
  if (state.budget?.maxTasks === undefined) return 0;
  let started = 0;
  for (const task of state.byKey.values()) if (task.row.startedAt !== undefined) started++;
  return started;
}

/** The run's consumption now. */
export function consumption(state: EngineRunState): Consumption {
  return { costUsd: state.run.costUsd, tasks: startedTasks(state) };
}

/**
 * The workflow's `policies.budget`: when a decision takes the run past its cost or task limit, the run fails
 * with `BUDGET_EXCEEDED`, or pauses (`onExceeded: "pause"`) so an operator can look — once per crossing, so a
 * resumed run is not paused again for the same overrun.
 */
export function enforceBudget(step: DecisionStep, before: Consumption): void {
  const { state } = step;
  const budget = state.budget;
  if (!budget || (state.run.status !== 'running' && state.run.status !== 'waiting')) return;
  const now = consumption(state);
  let exceeded: { limit: string; value: number; max: number; message: string } | undefined;
  const { maxCostUsd, maxTasks } = budget;
  if (maxCostUsd !== undefined && now.costUsd > maxCostUsd && before.costUsd <= maxCostUsd) {
    exceeded = {
      limit: 'maxCostUsd',
      value: now.costUsd,
      max: maxCostUsd,
      message: `the run has cost $${now.costUsd.toFixed(4)}, over its budget of $${maxCostUsd.toFixed(4)}`,
    };
  } else if (maxTasks !== undefined && now.tasks > maxTasks && before.tasks <= maxTasks) {
    exceeded = {
      limit: 'maxTasks',
      value: now.tasks,
      max: maxTasks,
      message: `the run has started ${now.tasks} tasks, over its budget of ${maxTasks}`,
    };
  }
  if (exceeded) overrun(step, exceeded);
}

/** The timer key of a run's `maxDurationMs`: not a task, so no task ever waits on it. */
export const RUN_DEADLINE_KEY = '~deadline';

/**
 * When the run's duration limit falls due, if it has one: armed at start and again after a restart — except,
 * under `onExceeded: "pause"`, once it has passed: the run was paused for it then, and an operator resumed it.
 */
export function armDeadline(step: DecisionStep, recovering = false): void {
  const budget = step.state.budget;
  const max = budget?.maxDurationMs;
  const started = step.state.run.startedAt;
  if (max === undefined || started === undefined) return;
  if (recovering && budget?.onExceeded === 'pause' && step.now >= started + max) return;
  step.commands.push({ type: 'setTimer', taskKey: RUN_DEADLINE_KEY, at: started + max });
}

/** The duration limit fell due: a run still going fails with `BUDGET_EXCEEDED`, or pauses. */
export function deadlineReached(step: DecisionStep): void {
  const { state } = step;
  const max = state.budget?.maxDurationMs;
  const started = state.run.startedAt;
  const { status } = state.run;
  if (max === undefined || started === undefined) return;
  if (status !== 'running' && status !== 'waiting') return;
  const value = step.now - started;
  if (value < max) return;
  overrun(step, {
    limit: 'maxDurationMs',
    value,
    max,
    message: `the run has taken ${value} ms, over its limit of ${max} ms`,
  });
}

/** A limit was crossed: the run pauses or fails, as its budget says. */
function overrun(
  step: DecisionStep,
  exceeded: { limit: string; value: number; max: number; message: string },
): void {
  const budget = step.state.budget;
  const { message, ...details } = exceeded;
  if (budget?.onExceeded === 'pause') {
    pauseRun(step, { type: 'pause', by: 'budget', reason: message });
    return;
  }
  // Tasks this same decision dispatched must not start: the run ends here.
  for (let i = step.commands.length - 1; i >= 0; i--) {
    if (step.commands[i]?.type === 'dispatch') step.commands.splice(i, 1);
  }
  const error: ErrorInfo = { code: 'BUDGET_EXCEEDED', message, retryable: false, details };
  failRun(step, error, undefined);
}
