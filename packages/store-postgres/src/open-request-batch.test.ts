import { describe, expect, it } from 'vitest';
import type { ApprovalRequested, RunEvent } from '@baton/core';
import { sampleEvent, sampleRun } from '@baton/testing';
import { reduceRequests } from './open-request-batch.js';

const asked = (runId: string, taskKey: string, seq: number): ApprovalRequested => ({
  type: 'approval.requested',
  runId,
  seq,
  at: 1_000 + seq,
  taskKey,
  nodeId: taskKey,
  assignee: 'ana',
  message: 'Pay?',
  options: ['approved', 'rejected'],
  urgency: 'medium',
});
const decided = (runId: string, taskKey: string, seq: number): RunEvent => ({
  type: 'approval.decided',
  runId,
  seq,
  at: 1_000 + seq,
  taskKey,
  nodeId: taskKey,
  decision: 'approved',
  by: 'ana',
  auto: false,
});

describe('reduceRequests', () => {
  it('leaves every set empty for steps that ask no one', () => {
    const rows = reduceRequests([
      { runId: 'run_1', run: { costUsd: 1 }, tasks: [], events: [sampleEvent('run_1', 2)] },
    ]);
    expect(rows).toEqual({ opened: [], closed: [], ended: [] });
  });

  it('keeps the last request of each task, and closes a task whose decision came last', () => {
    const rows = reduceRequests([
      { runId: 'run_1', tasks: [], events: [asked('run_1', 'a', 1), asked('run_1', 'b', 2)] },
      { runId: 'run_1', tasks: [], events: [decided('run_1', 'a', 3), decided('run_1', 'b', 4)] },
      { runId: 'run_1', tasks: [], events: [asked('run_1', 'b', 5)] },
      { runId: 'run_2', tasks: [], events: [decided('run_2', 'c', 9)] },
    ]);
    expect(rows).toEqual({
      opened: [asked('run_1', 'b', 5)],
      closed: [
        { runId: 'run_1', taskKey: 'a' },
        { runId: 'run_2', taskKey: 'c' },
      ],
      ended: [],
    });
  });

  it('ends the runs given a final status, keeping none of their requests, also of runs created in the call', () => {
    const rows = reduceRequests(
      [
        { runId: 'run_1', tasks: [], events: [asked('run_1', 'a', 1)] },
        { runId: 'run_1', run: { status: 'cancelled' }, tasks: [], events: [decided('run_1', 'b', 2)] },
        { runId: 'run_2', run: { status: 'waiting' }, tasks: [], events: [asked('run_2', 'a', 2)] },
      ],
      [
        { run: sampleRun('run_2'), tasks: [], events: [asked('run_2', 'z', 1)] },
        { run: sampleRun('run_3', { status: 'failed' }), tasks: [], events: [asked('run_3', 'a', 1)] },
      ],
    );
    expect(rows).toEqual({
      opened: [asked('run_2', 'z', 1), asked('run_2', 'a', 2)],
      closed: [],
      ended: ['run_3', 'run_1'],
    });
  });
});
