import { describe, expect, it } from 'vitest';
import type { RunDelta, TaskRecord } from '@baton/core';
import { sampleEvent, sampleRun, sampleTask } from './store-fixtures.js';
import { sortedBy, type StoreHarness } from './store-harness.js';

/** The `commit` clauses of the Store contract: partial run updates, whole task rows, ordered events, atomicity. */
export function commitCases(h: StoreHarness): void {
  describe('commit', () => {
    const tasksOf = async (runId: string): Promise<TaskRecord[]> =>
      sortedBy((await h.store.loadRun(runId))?.tasks ?? [], 'key');

    it('changes only the run fields a delta names', async () => {
      const run = sampleRun('run_1', { vars: { round: 1 }, labels: { team: 'ap' } });
      await h.store.createRun(run, [], [sampleEvent('run_1', 1)]);
      await h.store.commit([
        {
          runId: 'run_1',
          run: { status: 'completed', endedAt: 9_000, output: { total: 1200 }, costUsd: 0.25 },
          tasks: [],
          events: [],
        },
      ]);
      expect(await h.store.getRun('run_1')).toEqual({
        ...run,
        status: 'completed',
        endedAt: 9_000,
        output: { total: 1200 },
        costUsd: 0.25,
      });
    });

    it('replaces a task row whole by run id and key', async () => {
      const running = sampleTask('run_1', 'extract', {
        status: 'running',
        agent: 'builtin.extractor@1.0.0',
        input: { document: 'invoice.pdf' },
        checkpoint: { page: 3 },
        readyAt: 1_001,
        startedAt: 1_002,
      });
      await h.store.createRun(sampleRun('run_1'), [running, sampleTask('run_1', 'approve')], []);
      const succeeded = sampleTask('run_1', 'extract', {
        status: 'succeeded',
        output: { total: 1200 },
        port: 'out',
        costUsd: 0.01,
        endedAt: 1_005,
      });
      await h.store.commit([{ runId: 'run_1', tasks: [succeeded], events: [] }]);
      expect(await tasksOf('run_1')).toEqual([sampleTask('run_1', 'approve'), succeeded]);
    });

    it('inserts task rows it has not seen before', async () => {
      await h.store.createRun(sampleRun('run_1'), [sampleTask('run_1', 'a')], []);
      const added = [sampleTask('run_1', 'b'), sampleTask('run_1', 'loop[0].c', { status: 'pending' })];
      await h.store.commit([{ runId: 'run_1', tasks: added, events: [] }]);
      expect(await tasksOf('run_1')).toEqual(sortedBy([sampleTask('run_1', 'a'), ...added], 'key'));
    });

    it('applies the deltas of many runs in one call', async () => {
      const ids = ['run_1', 'run_2', 'run_3'];
      for (const id of ids)
        await h.store.createRun(sampleRun(id), [sampleTask(id, 'a')], [sampleEvent(id, 1)]);
      await h.store.commit(
        ids.map((id, i) => ({
          runId: id,
          run: { costUsd: i + 1 },
          tasks: [sampleTask(id, 'a', { status: 'running' }), sampleTask(id, 'b')],
          events: [sampleEvent(id, 2), sampleEvent(id, 3)],
        })),
      );
      for (const [i, id] of ids.entries()) {
        expect((await h.store.getRun(id))?.costUsd).toBe(i + 1);
        expect(await tasksOf(id)).toEqual([sampleTask(id, 'a', { status: 'running' }), sampleTask(id, 'b')]);
        expect(await h.store.readEvents(id)).toEqual([1, 2, 3].map((seq) => sampleEvent(id, seq)));
      }
    });

    it('applies several deltas of one run in order', async () => {
      await h.store.createRun(sampleRun('run_1', { status: 'queued' }), [sampleTask('run_1', 'a')], []);
      await h.store.commit([
        {
          runId: 'run_1',
          run: { status: 'running', startedAt: 2_000 },
          tasks: [sampleTask('run_1', 'a', { status: 'running' })],
          events: [sampleEvent('run_1', 1)],
        },
        {
          runId: 'run_1',
          run: { status: 'completed', endedAt: 3_000 },
          tasks: [sampleTask('run_1', 'a', { status: 'succeeded', port: 'out' })],
          events: [sampleEvent('run_1', 2)],
        },
      ]);
      expect(await h.store.getRun('run_1')).toEqual(
        sampleRun('run_1', { status: 'completed', startedAt: 2_000, endedAt: 3_000 }),
      );
      expect(await tasksOf('run_1')).toEqual([
        sampleTask('run_1', 'a', { status: 'succeeded', port: 'out' }),
      ]);
      expect(await h.store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1), sampleEvent('run_1', 2)]);
    });

    it('reads events in seq order after a given seq, at most limit, one run at a time', async () => {
      await h.store.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
      await h.store.createRun(sampleRun('run_2'), [], [sampleEvent('run_2', 1)]);
      for (let seq = 2; seq <= 6; seq++) {
        await h.store.commit([{ runId: 'run_1', tasks: [], events: [sampleEvent('run_1', seq)] }]);
      }
      const seqs = async (afterSeq?: number, limit?: number): Promise<number[]> =>
        (await h.store.readEvents('run_1', afterSeq, limit)).map((e) => e.seq);
      expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await seqs(2)).toEqual([3, 4, 5, 6]);
      expect(await seqs(2, 2)).toEqual([3, 4]);
      expect(await seqs(6)).toEqual([]);
      expect(await h.store.readEvents('run_2')).toEqual([sampleEvent('run_2', 1)]);
    });

    it('rejects a duplicate event seq as a conflict and keeps nothing of that call', async () => {
      const before = sampleTask('run_1', 'a', { status: 'running' });
      await h.store.createRun(sampleRun('run_1'), [before], [sampleEvent('run_1', 1)]);
      await h.store.createRun(sampleRun('run_2'), [], [sampleEvent('run_2', 1)]);
      const deltas: RunDelta[] = [
        {
          runId: 'run_1',
          run: { status: 'completed', costUsd: 9 },
          tasks: [sampleTask('run_1', 'a', { status: 'succeeded' }), sampleTask('run_1', 'b')],
          events: [sampleEvent('run_1', 2)],
        },
        { runId: 'run_2', run: { costUsd: 1 }, tasks: [], events: [sampleEvent('run_2', 1)] },
      ];
      await expect(h.store.commit(deltas)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await h.store.getRun('run_1')).toEqual(sampleRun('run_1'));
      expect(await h.store.getRun('run_2')).toEqual(sampleRun('run_2'));
      expect(await tasksOf('run_1')).toEqual([before]);
      expect(await h.store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1)]);
    });

    it('rejects an event seq repeated within one call and keeps nothing of it', async () => {
      await h.store.createRun(sampleRun('run_1'), [], []);
      const delta: RunDelta = {
        runId: 'run_1',
        run: { status: 'paused' },
        tasks: [sampleTask('run_1', 'a')],
        events: [sampleEvent('run_1', 1), sampleEvent('run_1', 1)],
      };
      await expect(h.store.commit([delta])).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await h.store.getRun('run_1')).toEqual(sampleRun('run_1'));
      expect(await tasksOf('run_1')).toEqual([]);
      expect(await h.store.readEvents('run_1')).toEqual([]);
    });

    it('rejects a delta for a run that does not exist and keeps nothing of that call', async () => {
      await h.store.createRun(sampleRun('run_1'), [], []);
      const deltas: RunDelta[] = [
        { runId: 'run_1', run: { costUsd: 3 }, tasks: [sampleTask('run_1', 'a')], events: [] },
        {
          runId: 'missing',
          run: { status: 'completed' },
          tasks: [sampleTask('missing', 'a')],
          events: [sampleEvent('missing', 1)],
        },
      ];
      await expect(h.store.commit(deltas)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await h.store.getRun('run_1')).toEqual(sampleRun('run_1'));
      expect(await tasksOf('run_1')).toEqual([]);
      expect(await h.store.getRun('missing')).toBeUndefined();
    });

    it('creates the runs it is given first, in the same call as the deltas that name them', async () => {
      await h.store.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
      const created = [
        { run: sampleRun('run_2'), tasks: [sampleTask('run_2', 'a')], events: [sampleEvent('run_2', 1)] },
      ];
      await h.store.commit(
        [
          {
            runId: 'run_2',
            run: { status: 'running', startedAt: 2_000 },
            tasks: [],
            events: [sampleEvent('run_2', 2)],
          },
          { runId: 'run_1', run: { costUsd: 2 }, tasks: [], events: [sampleEvent('run_1', 2)] },
        ],
        created,
      );
      expect(await h.store.getRun('run_2')).toEqual(
        sampleRun('run_2', { status: 'running', startedAt: 2_000 }),
      );
      expect(await tasksOf('run_2')).toEqual([sampleTask('run_2', 'a')]);
      expect(await h.store.readEvents('run_2')).toEqual([sampleEvent('run_2', 1), sampleEvent('run_2', 2)]);
      expect((await h.store.getRun('run_1'))?.costUsd).toBe(2);
    });

    it('rejects a created run whose id exists as a conflict and keeps nothing of that call', async () => {
      await h.store.createRun(sampleRun('run_1'), [], [sampleEvent('run_1', 1)]);
      const created = [
        { run: sampleRun('run_2'), tasks: [], events: [sampleEvent('run_2', 1)] },
        { run: sampleRun('run_1', { priority: 9 }), tasks: [], events: [] },
      ];
      await expect(
        h.store.commit(
          [{ runId: 'run_1', run: { costUsd: 2 }, tasks: [], events: [sampleEvent('run_1', 2)] }],
          created,
        ),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await h.store.getRun('run_1')).toEqual(sampleRun('run_1'));
      expect(await h.store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1)]);
      expect(await h.store.getRun('run_2')).toBeUndefined();
    });

    it('treats an empty commit as a no-op', async () => {
      await h.store.createRun(sampleRun('run_1'), [], []);
      await h.store.commit([]);
      await h.store.commit([{ runId: 'run_1', tasks: [], events: [] }]);
      expect(await h.store.getRun('run_1')).toEqual(sampleRun('run_1'));
    });
  });
}
