import { describe, expect, it } from 'vitest';
import { ConflictError, type Store, type WorkItem, type WorkOutcome, type WorkStore } from '@baton/core';
import { sampleEvent, sampleRun, sampleTask } from './store-fixtures.js';
import { useStoreFixture, type MakeStore } from './store-harness.js';

/** A dispatched first attempt of task `key` of `runId`, queued at `queuedAt`. */
function workItem(runId: string, key: string, overrides: Partial<WorkItem> = {}): WorkItem {
  return {
    runId,
    taskKey: key,
    attempt: 1,
    agent: 'summarizer@1.0.0',
    pool: 'default',
    input: { text: 'Ünïcode and "quotes"' },
    timeoutMs: 30_000,
    runPriority: 50,
    rank: 120,
    queuedAt: 1_000,
    ...overrides,
  };
}

const succeeded = (key: string, attempt = 1): WorkOutcome => ({
  type: 'agent.succeeded',
  taskKey: key,
  attempt,
  output: { summary: 'short' },
  costUsd: 0.002,
});

/**
 * Registers the `WorkStore` contract suite (ADR 0004) for a store that keeps distributed mode's outbox: work
 * written by `commit`, conditional claims with lease versions, outcomes taken by the run's owner, and the
 * reconciler's view of lost work. Stores that implement it run it beside the `Store` contract.
 */
export function workStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} satisfies the WorkStore contract`, () => {
    const h = useStoreFixture(makeStore);
    const store = (): Store & WorkStore => h.store as Store & WorkStore;
    const signal = { runId: 'r1', taskKey: 'summarize', attempt: 1 };

    /** Creates run r1 owned by `owner` with a running task whose work is in the outbox. */
    async function dispatched(owner = 'server-a', item: Partial<WorkItem> = {}): Promise<void> {
      await store().createRun(sampleRun('r1', { owner, leaseUntil: 99_000 }), [], []);
      await store().commit([
        {
          runId: 'r1',
          tasks: [sampleTask('r1', 'summarize', { status: 'running', agent: 'summarizer@1.0.0' })],
          events: [sampleEvent('r1', 1)],
          work: [workItem('r1', 'summarize', item)],
        },
      ]);
    }

    it('lets one worker claim committed work, and another only after the lease ran out', async () => {
      await dispatched();
      const first = await store().claimWork(signal, 'worker-1', 2_000, 5_000);
      expect(first?.item).toEqual(workItem('r1', 'summarize'));
      expect(first?.worker).toBe('worker-1');
      expect(await store().claimWork(signal, 'worker-2', 4_000, 7_000)).toBeUndefined();
      const second = await store().claimWork(signal, 'worker-2', 5_001, 9_000);
      expect(second?.worker).toBe('worker-2');
      expect(second?.leaseVersion).toBeGreaterThan(first?.leaseVersion ?? Infinity);
    });

    it('finds nothing to claim for another attempt or an unknown task', async () => {
      await dispatched();
      expect(await store().claimWork({ ...signal, attempt: 2 }, 'w', 2_000, 5_000)).toBeUndefined();
      expect(await store().claimWork({ ...signal, taskKey: 'other' }, 'w', 2_000, 5_000)).toBeUndefined();
    });

    it('ignores a repeat of work it already holds, keeping the claim on it', async () => {
      await dispatched();
      const claim = await store().claimWork(signal, 'worker-1', 2_000, 5_000);
      await store().commit([{ runId: 'r1', tasks: [], events: [], work: [workItem('r1', 'summarize')] }]);
      expect(await store().claimWork(signal, 'worker-2', 3_000, 6_000)).toBeUndefined();
      expect(claim && (await store().renewWork(claim, 8_000))).toBe(true);
    });

    it('renews and completes only with the current claim', async () => {
      await dispatched();
      const stale = await store().claimWork(signal, 'worker-1', 2_000, 3_000);
      const current = await store().claimWork(signal, 'worker-2', 3_001, 9_000);
      if (!stale || !current) throw new Error('both claims should have succeeded');
      expect(await store().renewWork(stale, 20_000)).toBe(false);
      expect(await store().completeWork(stale, succeeded('summarize'))).toBeUndefined();
      expect(await store().renewWork(current, 20_000)).toBe(true);
      expect(await store().completeWork(current, succeeded('summarize'))).toEqual({ owner: 'server-a' });
      // Done is done: the same claim cannot complete twice, nor can a new claim take the task.
      expect(await store().completeWork(current, succeeded('summarize'))).toBeUndefined();
      expect(await store().claimWork(signal, 'worker-3', 30_000, 40_000)).toBeUndefined();
    });

    it("hands outcomes only to the run's owner, once", async () => {
      await dispatched('server-a');
      const claim = await store().claimWork(signal, 'worker-1', 2_000, 5_000);
      if (!claim) throw new Error('the claim should have succeeded');
      await store().completeWork(claim, succeeded('summarize'));
      expect(await store().takeResults('server-b')).toEqual([]);
      expect(await store().takeResults('server-a')).toEqual([
        { runId: 'r1', outcome: succeeded('summarize') },
      ]);
      expect(await store().takeResults('server-a')).toEqual([]);
    });

    it('keeps the checkpoint of the current claim for the next claim and hands it out with the outcome', async () => {
      await dispatched('server-a', { checkpoint: { page: 1 } });
      const first = await store().claimWork(signal, 'worker-1', 2_000, 5_000);
      if (!first) throw new Error('the claim should have succeeded');
      expect(first.item.checkpoint).toEqual({ page: 1 });
      expect(await store().saveCheckpoint(first, { page: 2 })).toBe(true);
      expect(await store().saveCheckpoint(first, { page: 3, note: 'Ünïcode "quoted"' })).toBe(true);
      // Worker 1 died: the reconciler queues its work again and worker 2 goes on from page 3.
      await store().pendingWork(6_000, 0);
      const second = await store().claimWork(signal, 'worker-2', 6_000, 20_000);
      if (!second) throw new Error('the second claim should have succeeded');
      expect(second.item.checkpoint).toEqual({ page: 3, note: 'Ünïcode "quoted"' });
      // Worker 1 comes back to life: it can no longer write.
      expect(await store().saveCheckpoint(first, { page: 99 })).toBe(false);
      expect(await store().saveCheckpoint(second, { page: 4 })).toBe(true);
      await store().completeWork(second, succeeded('summarize'));
      expect(await store().saveCheckpoint(second, { page: 5 })).toBe(false);
      expect(await store().takeResults('server-a')).toEqual([
        { runId: 'r1', outcome: succeeded('summarize'), checkpoint: { page: 4 } },
      ]);
    });

    it('hands out the checkpoint work was dispatched with when the attempt saved none', async () => {
      await dispatched('server-a', { checkpoint: { page: 7 } });
      const claim = await store().claimWork(signal, 'worker-1', 2_000, 5_000);
      if (!claim) throw new Error('the claim should have succeeded');
      await store().completeWork(claim, succeeded('summarize'));
      expect(await store().takeResults('server-a')).toEqual([
        { runId: 'r1', outcome: succeeded('summarize'), checkpoint: { page: 7 } },
      ]);
    });

    it('writes no checkpoint for work its task no longer runs', async () => {
      await dispatched();
      const claim = await store().claimWork(signal, 'worker-1', 2_000, 5_000);
      if (!claim) throw new Error('the claim should have succeeded');
      await store().commit([
        {
          runId: 'r1',
          tasks: [sampleTask('r1', 'summarize', { status: 'failed', agent: 'summarizer@1.0.0' })],
          events: [sampleEvent('r1', 2)],
        },
      ]);
      expect(await store().saveCheckpoint(claim, { page: 2 })).toBe(false);
    });

    it('drops the work of a task written in any status but running', async () => {
      await dispatched();
      const claim = await store().claimWork(signal, 'worker-1', 2_000, 5_000);
      if (!claim) throw new Error('the claim should have succeeded');
      await store().commit([
        {
          runId: 'r1',
          tasks: [sampleTask('r1', 'summarize', { status: 'cancelled', agent: 'summarizer@1.0.0' })],
          events: [sampleEvent('r1', 2)],
        },
      ]);
      expect(await store().renewWork(claim, 9_000)).toBe(false);
      expect(await store().completeWork(claim, succeeded('summarize'))).toBeUndefined();
      expect(await store().pendingWork(10_000, 10_000)).toEqual([]);
    });

    it('shows the reconciler work that waited too long and work whose lease ran out', async () => {
      await dispatched('server-a', { queuedAt: 1_000 });
      await store().commit([
        {
          runId: 'r1',
          tasks: [sampleTask('r1', 'fresh', { status: 'running', agent: 'summarizer@1.0.0' })],
          events: [sampleEvent('r1', 2)],
          work: [workItem('r1', 'fresh', { queuedAt: 9_000 })],
        },
      ]);
      expect((await store().pendingWork(5_000, 5_000)).map((w) => w.taskKey)).toEqual(['summarize']);
      const claim = await store().claimWork(signal, 'worker-1', 5_000, 6_000);
      expect(await store().pendingWork(5_500, 5_500)).toEqual([]);
      // The worker died: its lease runs out, the work is queued again and another worker can claim it.
      expect((await store().pendingWork(7_000, 7_000)).map((w) => w.taskKey)).toEqual(['summarize']);
      const again = await store().claimWork(signal, 'worker-2', 7_000, 12_000);
      expect(again?.leaseVersion).toBeGreaterThan(claim?.leaseVersion ?? Infinity);
    });

    it('keeps no work of a commit that failed', async () => {
      await dispatched();
      await expect(
        store().commit([
          {
            runId: 'r1',
            tasks: [sampleTask('r1', 'other', { status: 'running', agent: 'summarizer@1.0.0' })],
            events: [sampleEvent('r1', 1)],
            work: [workItem('r1', 'other')],
          },
        ]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store().claimWork({ ...signal, taskKey: 'other' }, 'w', 2_000, 5_000)).toBeUndefined();
    });
  });
}
