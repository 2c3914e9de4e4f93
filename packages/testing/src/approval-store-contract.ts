import { describe, expect, it } from 'vitest';
import { ConflictError, FINAL_RUN_STATUSES, type TaskStatus } from '@baton/core';
import { listingCases } from './approval-store-listing.js';
import {
  ask,
  decided,
  listed,
  requested,
  waitingTask,
  type ApprovingStore,
} from './approval-store-fixtures.js';
import { sampleRun, sampleTask } from './store-fixtures.js';
import { useStoreFixture, type MakeStore } from './store-harness.js';

const NO_REOPEN = 'the store keeps nothing across a restart (its fixture has no reopen)';
const ERROR = { code: 'TIMEOUT', message: 'the ledger did not answer', retryable: true };

/**
 * Registers the `ApprovalStore` contract suite for a store that keeps open requests: opened by the commit that
 * logs `approval.requested`, closed by a decision, by the task row leaving its wait for a person or by the run
 * ending, all inside `commit`'s transaction; listed in request order with filters and keyset pages. Stores that
 * implement it run it beside the `Store` contract.
 */
export function approvalStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} satisfies the ApprovalStore contract`, () => {
    const h = useStoreFixture(makeStore);
    const store = (): ApprovingStore => h.store as ApprovingStore;
    const open = (from: ApprovingStore = store()) => from.openRequests();

    it('lists nothing when no one was asked', async () => {
      await store().createRun(sampleRun('run_1'), [sampleTask('run_1', 'a')], []);
      expect(await open()).toEqual([]);
    });

    it('lists a request once the commit that logs it lands, with its run and the request as logged', async () => {
      const request = await ask(
        store(),
        'run_1',
        requested('run_1', 'approve', 1, 2_000, { deadline: 9_000 }),
      );
      expect(await open()).toStrictEqual([listed(request)]);
    });

    it('lists requests of runs created with them, by createRun or by a commit', async () => {
      const first = requested('run_1', 'approve', 1, 2_000);
      const second = requested('run_2', 'approve', 1, 2_001);
      await store().createRun(sampleRun('run_1'), [waitingTask('run_1', 'approve')], [first]);
      await store().commit(
        [],
        [{ run: sampleRun('run_2'), tasks: [waitingTask('run_2', 'approve')], events: [second] }],
      );
      expect(await open()).toStrictEqual([listed(first), listed(second)]);
    });

    it('takes a request off once a decision on it is committed', async () => {
      await ask(store(), 'run_1');
      const kept = await ask(store(), 'run_2');
      await store().commit([
        {
          runId: 'run_1',
          tasks: [sampleTask('run_1', 'approve', { status: 'succeeded', output: { decision: 'approved' } })],
          events: [decided('run_1', 'approve', 2)],
        },
      ]);
      expect(await open()).toStrictEqual([listed(kept)]);
    });

    it.each<TaskStatus>(['succeeded', 'cancelled', 'skipped', 'ready', 'running'])(
      'takes a request off once its task is written %s without a decision',
      async (status) => {
        await ask(store(), 'run_1');
        await store().commit([
          { runId: 'run_1', tasks: [sampleTask('run_1', 'approve', { status })], events: [] },
        ]);
        expect(await open()).toEqual([]);
      },
    );

    it.each([...FINAL_RUN_STATUSES])(
      'takes every request of a run off once the run is %s',
      async (status) => {
        await ask(store(), 'run_1');
        await store().commit([
          {
            runId: 'run_1',
            run: { status, endedAt: 6_000 },
            tasks: [],
            events: [requested('run_1', 'other', 2, 2_500)],
          },
        ]);
        expect(await open()).toEqual([]);
        expect(await store().openRequests({ runId: 'run_1' })).toEqual([]);
      },
    );

    it('marks escalated failures and questions of agents, which wait with their error', async () => {
      const escalated = requested('run_1', 'post', 1, 2_000, {
        assignee: 'operators',
        options: ['retry', 'skip', 'abort'],
        urgency: 'high',
      });
      await store().createRun(
        sampleRun('run_1'),
        [waitingTask('run_1', 'post', { error: ERROR })],
        [escalated],
      );
      const question = requested('run_2', 'ask', 1, 2_001, {
        kind: 'input',
        options: ['reply', 'skip', 'abort'],
      });
      await store().createRun(
        sampleRun('run_2'),
        [waitingTask('run_2', 'ask', { error: ERROR })],
        [question],
      );
      expect(await open()).toStrictEqual([listed(escalated, true), listed(question, true)]);
    });

    it('does not list a task backing off before a retry, and lists it again when it waits for a person', async () => {
      const request = await ask(store(), 'run_1');
      const backoff = waitingTask('run_1', 'approve', { error: ERROR, wakeAt: 3_000 });
      await store().commit([{ runId: 'run_1', tasks: [backoff], events: [] }]);
      expect(await open()).toEqual([]);
      await store().commit([{ runId: 'run_1', tasks: [waitingTask('run_1', 'approve')], events: [] }]);
      expect(await open()).toStrictEqual([listed(request)]);
    });

    it('keeps one request per task: an escalation after a retry replaces the one before', async () => {
      const first = requested('run_1', 'post', 1, 2_000, { assignee: 'operators', message: 'first failure' });
      await store().createRun(sampleRun('run_1'), [waitingTask('run_1', 'post', { error: ERROR })], [first]);
      await store().commit([
        {
          runId: 'run_1',
          tasks: [sampleTask('run_1', 'post', { status: 'ready', attempt: 2 })],
          events: [decided('run_1', 'post', 2, 'retry')],
        },
      ]);
      const again = requested('run_1', 'post', 3, 4_000, {
        assignee: 'operators',
        message: 'second failure',
      });
      const asked = waitingTask('run_1', 'post', { attempt: 2, error: ERROR });
      await store().commit([{ runId: 'run_1', tasks: [asked], events: [again] }]);
      // Asked again with no decision between: the newer request replaces the older.
      const third = requested('run_1', 'post', 4, 4_500, { assignee: 'ana', message: 'third' });
      await store().commit([{ runId: 'run_1', tasks: [asked], events: [third] }]);
      expect(await open()).toStrictEqual([listed(third, true)]);
    });

    it('applies the deltas of one commit in order: asked, decided and asked again in one group commit', async () => {
      await store().createRun(sampleRun('run_1'), [], []);
      await store().createRun(sampleRun('run_2'), [], []);
      const last = requested('run_1', 'a', 3, 2_200);
      await store().commit([
        { runId: 'run_1', tasks: [waitingTask('run_1', 'a')], events: [requested('run_1', 'a', 1, 2_000)] },
        { runId: 'run_2', tasks: [waitingTask('run_2', 'b')], events: [requested('run_2', 'b', 1, 2_000)] },
        { runId: 'run_1', tasks: [], events: [decided('run_1', 'a', 2, 'retry')] },
        {
          runId: 'run_2',
          tasks: [sampleTask('run_2', 'b', { status: 'succeeded' })],
          events: [decided('run_2', 'b', 2)],
        },
        { runId: 'run_1', tasks: [waitingTask('run_1', 'a')], events: [last] },
      ]);
      expect(await open()).toStrictEqual([listed(last)]);
    });

    it('keeps nothing of a commit that fails', async () => {
      await ask(store(), 'run_1');
      await store().createRun(sampleRun('run_2'), [], []);
      const failing = store().commit([
        { runId: 'run_2', tasks: [waitingTask('run_2', 'b')], events: [requested('run_2', 'b', 1, 2_000)] },
        { runId: 'run_1', run: { status: 'cancelled' }, tasks: [], events: [decided('run_1', 'approve', 2)] },
        // seq 1 of run_1 is taken: the whole call fails.
        { runId: 'run_1', tasks: [], events: [requested('run_1', 'again', 1, 2_100)] },
      ]);
      await expect(failing).rejects.toBeInstanceOf(ConflictError);
      expect((await open()).map((r) => [r.runId, r.taskKey])).toEqual([['run_1', 'approve']]);
    });

    it('returns copies: changing what was read changes nothing stored', async () => {
      const request = await ask(store(), 'run_1');
      const [read] = await open();
      read!.request.options.push('maybe');
      read!.request.assignee = 'mallory';
      expect(await open()).toStrictEqual([listed(request)]);
    });

    it('keeps open requests across a reopen', async (context) => {
      const reopen = h.reopen;
      if (reopen === undefined) return context.skip(NO_REOPEN);
      const kept = await ask(store(), 'run_1');
      await ask(store(), 'run_2');
      await store().commit([{ runId: 'run_2', run: { status: 'cancelled' }, tasks: [], events: [] }]);
      const again = (await reopen()) as ApprovingStore;
      expect(await open(again)).toStrictEqual([listed(kept)]);
    });

    listingCases(h);
  });
}
