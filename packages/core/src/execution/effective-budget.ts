import type { Budget } from '../model/common-schema.js';

/**
 * The limits a run keeps: its workflow's `policies.budget`, capped by its org's limits (the lower of each,
 * and the workflow's `onExceeded` unless only the org sets limits).
 */
export function effectiveBudget(
  workflow: Budget | undefined,
  org: Partial<Budget> | undefined,
): Budget | undefined {
  if (!org) return workflow;
  const lower = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  const merged: Budget = { onExceeded: workflow?.onExceeded ?? org.onExceeded ?? 'fail' };
  const maxCostUsd = lower(workflow?.maxCostUsd, org.maxCostUsd);
  const maxTasks = lower(workflow?.maxTasks, org.maxTasks);
  const maxDurationMs = lower(workflow?.maxDurationMs, org.maxDurationMs);
  if (maxCostUsd !== undefined) merged.maxCostUsd = maxCostUsd;
  if (maxTasks !== undefined) merged.maxTasks = maxTasks;
  if (maxDurationMs !== undefined) merged.maxDurationMs = maxDurationMs;
  return merged;
}
