import {
  FINAL_RUN_STATUSES,
  type ApprovalRequested,
  type NewRun,
  type RunDelta,
  type RunEvent,
  type RunStatus,
} from '@baton/core';

/**
 * What the deltas of one `commit` call do to the open requests, reduced to three sets that one statement can
 * apply without touching a row twice (PostgreSQL cannot, within a statement):
 * - `opened`: of each task, the request it is left with — its last `approval.requested` that no later
 *   `approval.decided` of the call followed — inserted or replacing the stored one;
 * - `closed`: the tasks the call left decided, whose stored request is deleted;
 * - `ended`: the runs the call gives a final status, whose stored requests are all deleted. A run that ends
 *   keeps no request, so its tasks are in neither set above.
 * Calls without approval events or ending runs — nearly every step — leave all three empty.
 */
export interface RequestRows {
  opened: ApprovalRequested[];
  closed: { runId: string; taskKey: string }[];
  ended: string[];
}

/** Reduces the new runs and deltas of a `commit` call, taken in order, to its {@link RequestRows}. */
export function reduceRequests(deltas: readonly RunDelta[], created: readonly NewRun[] = []): RequestRows {
  /** The request each task is left with, or `undefined` when a decision came last; by run, then task key. */
  const latest = new Map<string, Map<string, ApprovalRequested | undefined>>();
  const ended = new Set<string>();
  const take = (runId: string, status: RunStatus | undefined, events: readonly RunEvent[]): void => {
    for (const event of events) {
      if (event.type !== 'approval.requested' && event.type !== 'approval.decided') continue;
      let tasks = latest.get(event.runId);
      if (tasks === undefined)
        latest.set(event.runId, (tasks = new Map<string, ApprovalRequested | undefined>()));
      tasks.set(event.taskKey, event.type === 'approval.requested' ? event : undefined);
    }
    if (status !== undefined && FINAL_RUN_STATUSES.has(status)) ended.add(runId);
  };
  for (const entry of created) take(entry.run.id, entry.run.status, entry.events);
  for (const delta of deltas) take(delta.runId, delta.run?.status, delta.events);

  const rows: RequestRows = { opened: [], closed: [], ended: [...ended] };
  for (const [runId, tasks] of latest) {
    if (ended.has(runId)) continue;
    for (const [taskKey, request] of tasks) {
      if (request === undefined) rows.closed.push({ runId, taskKey });
      else rows.opened.push(request);
    }
  }
  return rows;
}
