import { describe, expect, it } from 'vitest';
import { openRequestCursor, type OpenRequest, type OpenRequestQuery } from '@baton/core';
import { listed, requested, waitingTask, type ApprovingStore } from './approval-store-fixtures.js';
import { sampleRun } from './store-fixtures.js';
import type { StoreHarness } from './store-harness.js';

/** Requests of three runs, created out of order: `[runId, taskKey, at, assignee]`. */
const ASKED: readonly (readonly [string, string, number, string])[] = [
  ['run_b', 'x', 2_000, 'ana'],
  ['run_a', 'y', 2_000, 'role:finance'],
  ['run_c', 'z', 1_000, 'ana'],
  ['run_a', 'b', 2_000, 'ana'],
  ['run_c', 'a', 3_000, 'role:finance'],
];

/** The listing clauses of the ApprovalStore contract: order, filters and keyset pages. */
export function listingCases(h: StoreHarness): void {
  describe('listing', () => {
    const store = (): ApprovingStore => h.store as ApprovingStore;
    const keys = (requests: readonly OpenRequest[]): string[] =>
      requests.map((r) => `${r.runId}/${r.taskKey}`);

    /** Asks every request of `ASKED`, one commit each, in the order listed there. */
    async function askAll(): Promise<void> {
      for (const runId of ['run_a', 'run_b', 'run_c']) await store().createRun(sampleRun(runId), [], []);
      const seqs = new Map<string, number>();
      for (const [runId, taskKey, at, assignee] of ASKED) {
        const seq = (seqs.get(runId) ?? 0) + 1;
        seqs.set(runId, seq);
        await store().commit([
          {
            runId,
            tasks: [waitingTask(runId, taskKey)],
            events: [requested(runId, taskKey, seq, at, { assignee })],
          },
        ]);
      }
    }

    /** Every page of `query` with `limit` per page, following the cursor of each page's last request. */
    async function pages(query: OpenRequestQuery, limit: number): Promise<OpenRequest[][]> {
      const all: OpenRequest[][] = [];
      let after: OpenRequestQuery['after'];
      for (;;) {
        const page = await store().openRequests({ ...query, limit, ...(after ? { after } : {}) });
        if (page.length === 0) return all;
        all.push(page);
        after = openRequestCursor(page[page.length - 1]!);
      }
    }

    it('lists by request time, then run id, then task key', async () => {
      await askAll();
      expect(keys(await store().openRequests())).toEqual([
        'run_c/z',
        'run_a/b',
        'run_a/y',
        'run_b/x',
        'run_c/a',
      ]);
    });

    it('filters by assignee, by run, or by both', async () => {
      await askAll();
      expect(keys(await store().openRequests({ assignee: 'ana' }))).toEqual([
        'run_c/z',
        'run_a/b',
        'run_b/x',
      ]);
      expect(keys(await store().openRequests({ runId: 'run_c' }))).toEqual(['run_c/z', 'run_c/a']);
      expect(keys(await store().openRequests({ runId: 'run_a', assignee: 'ana' }))).toEqual(['run_a/b']);
      expect(await store().openRequests({ runId: 'no-such-run' })).toEqual([]);
      expect(await store().openRequests({ assignee: 'Ana' })).toEqual([]);
    });

    it('returns at most `limit`, and pages on from a cursor without gaps or repeats', async () => {
      await askAll();
      expect(keys(await store().openRequests({ limit: 2 }))).toEqual(['run_c/z', 'run_a/b']);
      expect((await pages({}, 2)).map(keys)).toEqual([
        ['run_c/z', 'run_a/b'],
        ['run_a/y', 'run_b/x'],
        ['run_c/a'],
      ]);
      expect((await pages({ assignee: 'ana' }, 1)).map(keys)).toEqual([
        ['run_c/z'],
        ['run_a/b'],
        ['run_b/x'],
      ]);
      const after = { requestedAt: 2_000, runId: 'run_a', taskKey: 'y' };
      expect(keys(await store().openRequests({ after }))).toEqual(['run_b/x', 'run_c/a']);
      expect(keys(await store().openRequests({ runId: 'run_c', after }))).toEqual(['run_c/a']);
    });

    it('keeps later pages in place when requests before the cursor open or close meanwhile', async () => {
      await askAll();
      const first = await store().openRequests({ limit: 2 });
      await store().createRun(
        sampleRun('run_0'),
        [waitingTask('run_0', 'early')],
        [requested('run_0', 'early', 1, 500)],
      );
      await store().commit([
        { runId: 'run_c', tasks: [waitingTask('run_c', 'z', { status: 'succeeded' })], events: [] },
      ]);
      const rest = await store().openRequests({ after: openRequestCursor(first[1]!) });
      expect(keys(rest)).toEqual(['run_a/y', 'run_b/x', 'run_c/a']);
    });

    it('lists every waiting run of many, each once', async () => {
      const runs = Array.from({ length: 120 }, (_, i) => `run_${String(i).padStart(3, '0')}`);
      await store().commit(
        [],
        runs.map((runId, i) => ({
          run: sampleRun(runId, { status: 'waiting' }),
          tasks: [waitingTask(runId, 'approve')],
          events: [requested(runId, 'approve', 1, 2_000 + (i % 7))],
        })),
      );
      const listing = await store().openRequests();
      expect(listing).toHaveLength(runs.length);
      expect(listing[0]).toStrictEqual(listed(requested('run_000', 'approve', 1, 2_000)));
      expect((await pages({}, 50)).flat()).toStrictEqual(listing);
    });
  });
}
