import type { RunRecord } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';
import { STEP_THROUGH_LABEL } from '../execution/step-through.js';
import type { Workflow } from '../model/workflow-schema.js';
import { ORG_LABEL, type StartRunOptions } from './engine-options.js';

/** The row and the first event of a new run, owned by the process that creates it. */
export function newRun(
  workflow: Workflow,
  input: Record<string, unknown>,
  options: StartRunOptions,
  at: { id: string; now: number; owner: string; leaseMs: number },
): { run: RunRecord; created: RunEvent } {
  const { id, now } = at;
  const run: RunRecord = {
    id,
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    status: 'queued',
    priority: options.priority ?? workflow.policies.priority,
    input,
    vars: Object.fromEntries(Object.entries(workflow.variables).map(([k, v]) => [k, v.default ?? null])),
    costUsd: 0,
    createdAt: now,
    ...(options.parent ? { parent: options.parent } : {}),
    ...runLabels(options),
    owner: at.owner,
    leaseUntil: now + at.leaseMs,
  };
  const created: RunEvent = {
    type: 'run.created',
    runId: id,
    seq: 1,
    at: now,
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    input,
  };
  return { run, created };
}

/** The labels a run starts with; step-through mode is one, so it survives restarts. */
function runLabels(options: StartRunOptions): { labels?: Record<string, string> } {
  if (!options.stepThrough && options.org === undefined)
    return options.labels ? { labels: options.labels } : {};
  return {
    labels: {
      ...options.labels,
      ...(options.stepThrough ? { [STEP_THROUGH_LABEL]: 'on' } : {}),
      ...(options.org === undefined ? {} : { [ORG_LABEL]: options.org }),
    },
  };
}

/** The org a run belongs to. */
export function orgOf(run: RunRecord): string {
  return run.labels?.[ORG_LABEL] ?? 'default';
}
