import type { ApprovalRequested, ApprovalStore, OpenRequest, RunEvent, Store, TaskRecord } from '@baton/core';
import { sampleRun, sampleTask } from './store-fixtures.js';

/** A store with open requests, as the approval-store suite uses it. */
export type ApprovingStore = Store & ApprovalStore;

/** An approval node's request of task `taskKey`, numbered `seq` and asked at `at`. */
export function requested(
  runId: string,
  taskKey: string,
  seq: number,
  at: number,
  overrides: Partial<ApprovalRequested> = {},
): ApprovalRequested {
  return {
    type: 'approval.requested',
    runId,
    seq,
    at,
    taskKey,
    nodeId: taskKey,
    assignee: 'role:finance',
    message: `Pay the invoice of ${runId}? «Ünïcode» 😀`,
    options: ['approved', 'rejected'],
    urgency: 'medium',
    ...overrides,
  };
}

/** A person's decision on task `taskKey`. */
export function decided(runId: string, taskKey: string, seq: number, decision = 'approved'): RunEvent {
  return {
    type: 'approval.decided',
    runId,
    seq,
    at: 5_000 + seq,
    taskKey,
    nodeId: taskKey,
    decision,
    by: 'ana',
    auto: false,
  };
}

/** The task row of an approval waiting for a person. */
export function waitingTask(runId: string, key: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return sampleTask(runId, key, { status: 'waiting', startedAt: 1_500, ...overrides });
}

/** What `openRequests` lists for `request` of a run of the sample workflow. */
export function listed(request: ApprovalRequested, afterFailure = false): OpenRequest {
  return {
    runId: request.runId,
    workflowId: 'invoice-review',
    workflowVersion: '1.0.0',
    taskKey: request.taskKey,
    afterFailure,
    request,
  };
}

/**
 * Creates run `runId` and commits, as the engine does, its task `taskKey` waiting on `request` (event seq 1 of
 * the run unless the request says otherwise). Returns the request.
 */
export async function ask(
  store: ApprovingStore,
  runId: string,
  request: ApprovalRequested = requested(runId, 'approve', 1, 2_000),
): Promise<ApprovalRequested> {
  await store.createRun(sampleRun(runId), [], []);
  await store.commit([
    {
      runId,
      run: { status: 'waiting' },
      tasks: [waitingTask(runId, request.taskKey)],
      events: [request],
    },
  ]);
  return request;
}
