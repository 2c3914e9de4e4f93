import { describe, expect, it } from 'vitest';
import type { RunRecord, RunStatus } from '@baton/core';
import { sampleRun } from './store-fixtures.js';
import type { StoreHarness } from './store-harness.js';

const UNFINISHED: readonly RunStatus[] = ['queued', 'running', 'paused', 'waiting'];
const FINISHED: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** The `listRuns` filters and ordering, and the lease clauses of `claimRuns`, `renewLease` and `releaseRuns`. */
export function queryCases(h: StoreHarness): void {
  const create = async (...runs: RunRecord[]): Promise<void> => {
    for (const run of runs) await h.store.createRun(run, [], []);
  };
  const ids = (runs: readonly RunRecord[]): string[] => runs.map((run) => run.id);

  describe('listRuns', () => {
    it('lists runs newest first, by creation time and then id', async () => {
      await create(
        sampleRun('run_a', { createdAt: 1_000 }),
        sampleRun('run_d', { createdAt: 3_000 }),
        sampleRun('run_b', { createdAt: 1_000 }),
        sampleRun('run_c', { createdAt: 2_000 }),
      );
      expect(ids(await h.store.listRuns())).toEqual(['run_d', 'run_c', 'run_b', 'run_a']);
    });

    it('filters by one status or by several', async () => {
      await create(
        sampleRun('run_1', { status: 'running', createdAt: 1 }),
        sampleRun('run_2', { status: 'completed', createdAt: 2 }),
        sampleRun('run_3', { status: 'failed', createdAt: 3 }),
        sampleRun('run_4', { status: 'running', createdAt: 4 }),
      );
      expect(ids(await h.store.listRuns({ status: 'running' }))).toEqual(['run_4', 'run_1']);
      expect(ids(await h.store.listRuns({ status: ['completed', 'failed'] }))).toEqual(['run_3', 'run_2']);
      expect(ids(await h.store.listRuns({ status: ['waiting'] }))).toEqual([]);
    });

    it('filters by workflow id, also together with a status', async () => {
      await create(
        sampleRun('run_1', { workflowId: 'onboarding', createdAt: 1 }),
        sampleRun('run_2', { createdAt: 2 }),
        sampleRun('run_3', { workflowId: 'onboarding', status: 'failed', createdAt: 3 }),
      );
      expect(ids(await h.store.listRuns({ workflowId: 'onboarding' }))).toEqual(['run_3', 'run_1']);
      expect(ids(await h.store.listRuns({ workflowId: 'onboarding', status: 'running' }))).toEqual(['run_1']);
    });

    it('returns at most limit runs, and 50 without one', async () => {
      for (let i = 0; i < 55; i++)
        await create(sampleRun(`run_${String(i).padStart(2, '0')}`, { createdAt: i }));
      expect(ids(await h.store.listRuns({ limit: 3 }))).toEqual(['run_54', 'run_53', 'run_52']);
      expect(await h.store.listRuns()).toHaveLength(50);
    });

    it('pages with before without gaps or repeats, also across equal creation times', async () => {
      const times = [1, 1, 2, 2, 2, 3, 4];
      await create(...times.map((createdAt, i) => sampleRun(`run_${i}`, { createdAt })));
      const all = ids(await h.store.listRuns());
      const paged: string[] = [];
      let before: { createdAt: number; id: string } | undefined;
      for (;;) {
        const page = await h.store.listRuns(before === undefined ? { limit: 3 } : { limit: 3, before });
        if (page.length === 0) break;
        paged.push(...ids(page));
        const last = page[page.length - 1]!;
        before = { createdAt: last.createdAt, id: last.id };
      }
      expect(all).toHaveLength(times.length);
      expect(paged).toEqual(all);
    });
  });

  describe('leases', () => {
    it('claims unowned unfinished runs and never finished ones', async () => {
      await create(...[...UNFINISHED, ...FINISHED].map((status) => sampleRun(`run_${status}`, { status })));
      const claimed = await h.store.claimRuns('worker-1', 1_000, 31_000);
      expect([...claimed].sort()).toEqual(UNFINISHED.map((status) => `run_${status}`).sort());
      for (const status of UNFINISHED) {
        expect(await h.store.getRun(`run_${status}`)).toMatchObject({
          owner: 'worker-1',
          leaseUntil: 31_000,
        });
      }
      for (const status of FINISHED) {
        const run = await h.store.getRun(`run_${status}`);
        expect(run?.owner).toBeUndefined();
        expect(run?.leaseUntil).toBeUndefined();
      }
      expect(await h.store.claimRuns('worker-2', 2_000, 32_000)).toEqual([]);
    });

    it("claims runs whose lease ran out before now and never another owner's live lease", async () => {
      await create(
        sampleRun('run_expired', { owner: 'worker-2', leaseUntil: 500 }),
        sampleRun('run_live', { owner: 'worker-2', leaseUntil: 5_000 }),
      );
      expect(await h.store.claimRuns('worker-1', 1_000, 31_000)).toEqual(['run_expired']);
      expect(await h.store.getRun('run_expired')).toMatchObject({ owner: 'worker-1', leaseUntil: 31_000 });
      expect(await h.store.getRun('run_live')).toMatchObject({ owner: 'worker-2', leaseUntil: 5_000 });
    });

    it('takes over the live leases of owners named as gone, and only theirs', async () => {
      await create(
        sampleRun('run_dead', { owner: 'crashed', leaseUntil: 50_000 }),
        sampleRun('run_alive', { owner: 'worker-2', leaseUntil: 50_000 }),
        sampleRun('run_done', { owner: 'crashed', leaseUntil: 50_000, status: 'completed' }),
      );
      expect(await h.store.runOwners()).toEqual(['crashed', 'worker-2']);
      expect(await h.store.claimRuns('worker-1', 1_000, 31_000, undefined, ['crashed'])).toEqual([
        'run_dead',
      ]);
      expect(await h.store.getRun('run_alive')).toMatchObject({ owner: 'worker-2' });
      expect(await h.store.runOwners()).toEqual(['worker-1', 'worker-2']);
    });

    it('claims at most limit runs and leaves the rest to the next claimer', async () => {
      await create(...[1, 2, 3, 4, 5].map((i) => sampleRun(`run_${i}`, { createdAt: i })));
      const first = await h.store.claimRuns('worker-1', 1_000, 31_000, 2);
      expect(first).toHaveLength(2);
      const second = await h.store.claimRuns('worker-2', 1_000, 31_000, 10);
      expect(second).toHaveLength(3);
      expect([...first, ...second].sort()).toEqual(['run_1', 'run_2', 'run_3', 'run_4', 'run_5']);
    });

    it('renews only the leases the owner still holds and returns those ids', async () => {
      await create(
        sampleRun('run_1', { owner: 'worker-1', leaseUntil: 5_000 }),
        sampleRun('run_2', { owner: 'worker-2', leaseUntil: 5_000 }),
        sampleRun('run_3'),
      );
      const renewed = await h.store.renewLease('worker-1', ['run_1', 'run_2', 'run_3', 'missing'], 9_000);
      expect(renewed).toEqual(['run_1']);
      expect(await h.store.getRun('run_1')).toMatchObject({ owner: 'worker-1', leaseUntil: 9_000 });
      expect(await h.store.getRun('run_2')).toMatchObject({ owner: 'worker-2', leaseUntil: 5_000 });
      expect((await h.store.getRun('run_3'))?.owner).toBeUndefined();
    });

    it("releases an owner's runs so another can claim them at once, and leaves others' runs alone", async () => {
      await create(
        sampleRun('run_1', { owner: 'worker-1', leaseUntil: 50_000 }),
        sampleRun('run_2', { owner: 'worker-2', leaseUntil: 50_000 }),
      );
      await h.store.releaseRuns('worker-1', ['run_1', 'run_2']);
      const released = await h.store.getRun('run_1');
      expect(released).toStrictEqual(sampleRun('run_1'));
      expect(await h.store.getRun('run_2')).toMatchObject({ owner: 'worker-2', leaseUntil: 50_000 });
      expect(await h.store.claimRuns('worker-3', 1_000, 31_000)).toEqual(['run_1']);
    });
  });
}
