import {
  hasApprovalStore,
  waitsForPerson,
  type ApprovalRequested,
  type ApprovalStore,
  type OpenRequest,
  type RunEvent,
  type RunRecord,
  type RunStatus,
  type Store,
} from '@baton/core';

/**
 * What a person is asked to decide: `approval` (an approval node), `escalation` (a failed task a person retries,
 * skips or aborts) or `input` (an agent asked a question; answer it with `reply`).
 */
export type PendingApprovalKind = 'approval' | 'escalation' | 'input';

/** One task waiting for a person, as the `approval.requested` event that asked put it. */
export interface PendingApproval {
  runId: string;
  workflowId: string;
  workflowVersion: string;
  taskKey: string;
  nodeId: string;
  kind: PendingApprovalKind;
  /** A user id or `role:<name>`, as the workflow names it. */
  assignee: string;
  message: string;
  /** The decisions the task takes. */
  options: string[];
  urgency: string;
  /** When `autoDecision` applies (ms since epoch); approvals with a deadline only. */
  deadline?: number;
  /** When it was asked (ms since epoch). */
  requestedAt: number;
}

/** Filters of {@link ApprovalsInbox.pendingApprovals}; all of them must hold. */
export interface ApprovalQuery {
  /** Exactly as the workflow names it. */
  assignee?: string;
  runId?: string;
}

/** The tasks waiting for a person across unfinished runs. */
export interface ApprovalsInbox {
  /**
   * Every task of an unfinished run that waits for a person's decision or answer, oldest request first. A
   * decision made meanwhile (`decide`, `reply`, an operator's retry or skip) takes the task off the list.
   */
  pendingApprovals(query?: ApprovalQuery): Promise<PendingApproval[]>;
}

/** Runs that can hold a task waiting for a person. */
const OPEN_STATUSES: readonly RunStatus[] = ['waiting', 'running', 'paused'];
/** Runs read per store query while walking the unfinished ones. */
const PAGE = 200;

/**
 * The inbox, read from the store alone, so that it sees the runs of every process sharing it.
 *
 * Cost: with a store that keeps open requests (`ApprovalStore`: SQLite, PostgreSQL and memory do, in the
 * transaction that logs `approval.requested`), one indexed query whatever the number of runs — no event log is
 * read. Otherwise each call walks every unfinished run (a page of 200 at a time), loads its tasks and reads
 * the whole event log of each run with a task waiting: fine for hundreds of waiting runs, not for the 10,000
 * of the budget in DESIGN §7.
 */
export function approvalsInbox(store: Store): ApprovalsInbox {
  if (hasApprovalStore(store)) return storedInbox(store);
  return {
    async pendingApprovals(query = {}) {
      const pending: PendingApproval[] = [];
      for await (const run of unfinishedRuns(store, query.runId)) {
        const loaded = await store.loadRun(run.id);
        const waiting = (loaded?.tasks ?? []).filter(waitsForPerson);
        if (!loaded || waiting.length === 0) continue;
        const requests = openRequests(await store.readEvents(run.id));
        for (const task of waiting) {
          const request = requests.get(task.key);
          if (!request) continue;
          const item = pendingApproval({
            runId: run.id,
            workflowId: loaded.run.workflowId,
            workflowVersion: loaded.run.workflowVersion,
            taskKey: task.key,
            afterFailure: task.error !== undefined,
            request,
          });
          if (query.assignee === undefined || item.assignee === query.assignee) pending.push(item);
        }
      }
      // The store's listing order: request time, then run id and task key in code-unit order.
      return pending.sort(
        (a, b) =>
          a.requestedAt - b.requestedAt ||
          (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0) ||
          (a.taskKey < b.taskKey ? -1 : a.taskKey > b.taskKey ? 1 : 0),
      );
    },
  };
}

/** The inbox over a store that keeps open requests: one query, filtered and ordered by the store. */
function storedInbox(store: Store & ApprovalStore): ApprovalsInbox {
  return {
    async pendingApprovals(query = {}) {
      const requests = await store.openRequests({
        ...(query.assignee === undefined ? {} : { assignee: query.assignee }),
        ...(query.runId === undefined ? {} : { runId: query.runId }),
      });
      return requests.map(pendingApproval);
    },
  };
}

/** The unfinished runs, newest first, or only `runId` when it is unfinished. */
async function* unfinishedRuns(store: Store, runId: string | undefined): AsyncGenerator<RunRecord> {
  if (runId !== undefined) {
    const run = await store.getRun(runId);
    if (run && OPEN_STATUSES.includes(run.status)) yield run;
    return;
  }
  let before: { createdAt: number; id: string } | undefined;
  for (;;) {
    // Keyset pages: a run that finishes meanwhile drops out without shifting the others.
    const page = await store.listRuns({ status: OPEN_STATUSES, limit: PAGE, ...(before ? { before } : {}) });
    yield* page;
    const last = page.at(-1);
    if (page.length < PAGE || !last) return;
    before = { createdAt: last.createdAt, id: last.id };
  }
}

/** The latest request of each task that no decision followed. Wait and child-run tasks ask nothing. */
function openRequests(events: readonly RunEvent[]): Map<string, ApprovalRequested> {
  const open = new Map<string, ApprovalRequested>();
  for (const event of events) {
    if (event.type === 'approval.requested') open.set(event.taskKey, event);
    else if (event.type === 'approval.decided') open.delete(event.taskKey);
  }
  return open;
}

function pendingApproval({
  runId,
  workflowId,
  workflowVersion,
  afterFailure,
  request,
}: OpenRequest): PendingApproval {
  const kind: PendingApprovalKind =
    request.kind === 'input' ? 'input' : afterFailure ? 'escalation' : 'approval';
  return {
    runId,
    workflowId,
    workflowVersion,
    taskKey: request.taskKey,
    nodeId: request.nodeId,
    kind,
    assignee: request.assignee,
    message: request.message,
    options: [...request.options],
    urgency: request.urgency,
    ...(request.deadline === undefined ? {} : { deadline: request.deadline }),
    requestedAt: request.at,
  };
}
