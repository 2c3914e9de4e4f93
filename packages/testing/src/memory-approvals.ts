import {
  FINAL_RUN_STATUSES,
  waitsForPerson,
  type ApprovalRequested,
  type OpenRequest,
  type OpenRequestCursor,
  type OpenRequestQuery,
  type RunDelta,
  type RunRecord,
  type TaskRecord,
} from '@baton/core';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The open requests in memory (the `ApprovalStore` half of `MemoryStore`): the latest undecided
 * `approval.requested` of each task, by run, taken in from the deltas the store applies. Whether the task and
 * the run still wait is read from the store's rows when listing, as the SQL stores join their tables.
 */
export class MemoryApprovals {
  readonly #open = new Map<string, Map<string, ApprovalRequested>>();

  constructor(
    private readonly run: (runId: string) => RunRecord | undefined,
    private readonly task: (runId: string, key: string) => TaskRecord | undefined,
  ) {}

  /** Takes in a delta the store has just applied: its approval events in order, then the run's status. */
  apply(delta: RunDelta): void {
    for (const event of delta.events) {
      if (event.type === 'approval.requested') {
        let requests = this.#open.get(event.runId);
        if (requests === undefined)
          this.#open.set(event.runId, (requests = new Map<string, ApprovalRequested>()));
        requests.set(event.taskKey, copy(event));
      } else if (event.type === 'approval.decided') {
        this.#open.get(event.runId)?.delete(event.taskKey);
      }
    }
    const status = this.run(delta.runId)?.status;
    if (status !== undefined && FINAL_RUN_STATUSES.has(status)) this.#open.delete(delta.runId);
  }

  list(query: OpenRequestQuery = {}): OpenRequest[] {
    const found: OpenRequest[] = [];
    const runIds = query.runId === undefined ? [...this.#open.keys()] : [query.runId];
    for (const runId of runIds) {
      const run = this.run(runId);
      if (run === undefined || FINAL_RUN_STATUSES.has(run.status)) continue;
      for (const [taskKey, request] of this.#open.get(runId) ?? []) {
        const task = this.task(runId, taskKey);
        if (task === undefined || !waitsForPerson(task)) continue;
        if (query.assignee !== undefined && request.assignee !== query.assignee) continue;
        const position = { requestedAt: request.at, runId, taskKey };
        if (query.after !== undefined && compare(position, query.after) <= 0) continue;
        found.push({
          runId,
          workflowId: run.workflowId,
          workflowVersion: run.workflowVersion,
          taskKey,
          afterFailure: task.error !== undefined,
          request,
        });
      }
    }
    found.sort((a, b) =>
      compare(
        { requestedAt: a.request.at, runId: a.runId, taskKey: a.taskKey },
        {
          requestedAt: b.request.at,
          runId: b.runId,
          taskKey: b.taskKey,
        },
      ),
    );
    return copy(query.limit === undefined ? found : found.slice(0, Math.max(0, query.limit)));
  }
}

/** The listing order: request time, then run id, then task key (code-unit order, as the SQL stores sort ids). */
function compare(a: OpenRequestCursor, b: OpenRequestCursor): number {
  return (
    a.requestedAt - b.requestedAt ||
    (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0) ||
    (a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0)
  );
}
