import type { DecisionStep } from './decision-step.js';
import type { RunRecord } from './records.js';
import type { TaskState } from './run-state.js';

/**
 * The label a run started in step-through mode carries (`baton run --step-through`): every agent task is held
 * when it becomes ready and dispatched only on an operator's `step`, so the run can be followed one task at a
 * time. A label, so the mode survives restarts without a column of its own.
 */
export const STEP_THROUGH_LABEL = 'baton.step-through';

export function isSteppedThrough(run: RunRecord): boolean {
  return run.labels?.[STEP_THROUGH_LABEL] === 'on';
}

/**
 * The held task `step` dispatches next: the one that became ready first, then the one on the longer critical
 * path. Undefined when nothing is held.
 */
export function nextHeld(step: DecisionStep): TaskState | undefined {
  let next: TaskState | undefined;
  for (const task of step.state.ready) {
    if (task.info.node.type !== 'agent' || task.instance.status !== 'live') continue;
    if (
      !next ||
      (task.row.readyAt ?? 0) < (next.row.readyAt ?? 0) ||
      ((task.row.readyAt ?? 0) === (next.row.readyAt ?? 0) && task.info.rank > next.info.rank)
    )
      next = task;
  }
  return next;
}
