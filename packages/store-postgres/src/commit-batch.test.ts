import { describe, expect, it } from 'vitest';
import { FINAL_RUN_STATUSES, RUN_TRANSITIONS, type RunStatus, type WorkItem } from '@baton/core';
import { sampleEvent, sampleRun, sampleTask } from '@baton/testing';
import { commitParams, commitRows, isEmpty, reduceWork } from './commit-batch.js';
import { UNFINISHED_STATUSES_SQL } from './migrations/0004-rollback-statuses.js';
import { COMMIT } from './postgres-statements.js';

describe('commitRows', () => {
  it('merges the changes of one run, a later change of a field winning', () => {
    const rows = commitRows([
      { runId: 'run_1', run: { status: 'running', costUsd: 1 }, tasks: [], events: [] },
      { runId: 'run_2', run: { priority: 9 }, tasks: [], events: [] },
      { runId: 'run_1', run: { costUsd: 2, endedAt: 5 }, tasks: [], events: [] },
    ]);
    expect(rows.changes.map(({ id, run }) => ({ id, run }))).toEqual([
      { id: 'run_1', run: { status: 'running', costUsd: 2, endedAt: 5 } },
      { id: 'run_2', run: { priority: 9 } },
    ]);
    const [first, second] = rows.changes;
    expect(first!.mask).toBe(
      commitRows([{ runId: 'x', run: first!.run, tasks: [], events: [] }]).changes[0]!.mask,
    );
    expect(second!.mask).not.toBe(0);
  });

  it('folds the changes of a run created in the same call into its insert', () => {
    const rows = commitRows(
      [
        {
          runId: 'run_1',
          run: { status: 'running', startedAt: 2 },
          tasks: [],
          events: [sampleEvent('run_1', 2)],
        },
      ],
      [{ run: sampleRun('run_1', { status: 'queued' }), tasks: [], events: [sampleEvent('run_1', 1)] }],
    );
    expect(rows.created).toEqual([sampleRun('run_1', { status: 'running', startedAt: 2 })]);
    expect(rows.changes).toEqual([]);
    expect(rows.events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('keeps the last write of a task row and every event, repeats included', () => {
    const rows = commitRows([
      {
        runId: 'run_1',
        tasks: [sampleTask('run_1', 'a'), sampleTask('run_1', 'b')],
        events: [sampleEvent('run_1', 1)],
      },
      {
        runId: 'run_1',
        tasks: [sampleTask('run_1', 'a', { status: 'running' })],
        events: [sampleEvent('run_1', 1)],
      },
    ]);
    expect(rows.tasks).toEqual([sampleTask('run_1', 'a', { status: 'running' }), sampleTask('run_1', 'b')]);
    expect(rows.events).toHaveLength(2);
  });

  it('reduces the outbox to the rows it drops and the items left after the deltas, in order', () => {
    const item = (key: string, attempt = 1, queuedAt = 1): WorkItem => ({
      runId: 'run_1',
      taskKey: key,
      attempt,
      agent: 'a@1',
      pool: 'default',
      input: {},
      timeoutMs: 1_000,
      runPriority: 50,
      rank: 1,
      queuedAt,
    });
    const task = (key: string, status: 'running' | 'cancelled' | 'ready') =>
      sampleTask('run_1', key, { status });
    const { drops, work } = reduceWork([
      { runId: 'run_1', tasks: [task('a', 'running')], events: [], work: [item('a'), item('b')] },
      { runId: 'run_1', tasks: [task('b', 'cancelled'), task('c', 'ready')], events: [], work: [item('c')] },
      { runId: 'run_1', tasks: [], events: [], work: [item('a', 1, 9), item('a', 2), item('b', 2)] },
    ]);
    expect(drops).toEqual([
      { runId: 'run_1', taskKey: 'b' },
      { runId: 'run_1', taskKey: 'c' },
    ]);
    // b's first item was dropped by the later delta, the repeat of a's first attempt yields to the first.
    expect(work).toEqual([item('a'), item('a', 2), item('c'), item('b', 2)]);
    expect(isEmpty(commitRows([{ runId: 'run_1', tasks: [], events: [], work: [item('a')] }]))).toBe(false);
  });

  it('keeps the first settlement of a command settled by several deltas', () => {
    const rows = commitRows([
      { runId: 'run_1', tasks: [], events: [], commands: [{ id: 7, result: { ok: true }, at: 1 }] },
      {
        runId: 'run_1',
        tasks: [],
        events: [],
        commands: [
          {
            id: 7,
            result: { ok: false, error: { code: 'CONFLICT', message: 'late', retryable: false } },
            at: 2,
          },
          { id: 8, result: { ok: true }, at: 2 },
        ],
      },
    ]);
    expect(rows.commands).toEqual([
      { id: 7, result: { ok: true }, at: 1 },
      { id: 8, result: { ok: true }, at: 2 },
    ]);
    expect(isEmpty(commitRows([{ runId: 'run_1', tasks: [], events: [], commands: rows.commands }]))).toBe(
      false,
    );
  });

  it('binds exactly the parameters the commit statement numbers', () => {
    const placeholders = new Set([...COMMIT.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect(commitParams(commitRows([])).length).toBe(placeholders.size);
    expect(Math.max(...placeholders)).toBe(placeholders.size);
  });
});

describe('the schema', () => {
  it("lists in its partial indexes exactly core's unfinished run statuses", () => {
    const unfinished = (Object.keys(RUN_TRANSITIONS) as RunStatus[]).filter(
      (s) => !FINAL_RUN_STATUSES.has(s),
    );
    expect(UNFINISHED_STATUSES_SQL).toBe(unfinished.map((s) => `'${s}'`).join(', '));
  });
});
