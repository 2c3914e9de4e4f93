import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewRun, RunDelta, Store, WorkClaim, WorkItem, WorkOutcome, WorkStore } from '@baton/core';
import { MemoryStore, sampleRun, sampleTask } from '@baton/testing';
import { PostgresStore } from './postgres-store.js';
import { hasPostgres, useTestDatabases } from './test-databases.test-helper.js';

function workItem(runId: string, key: string, overrides: Partial<WorkItem> = {}): WorkItem {
  return {
    runId,
    taskKey: key,
    attempt: 1,
    agent: 'summarizer@1.0.0',
    pool: 'default',
    input: { text: key },
    timeoutMs: 30_000,
    runPriority: 50,
    rank: 120,
    queuedAt: 1_000,
    ...overrides,
  };
}

const running = (runId: string, key: string, attempt = 1) =>
  sampleTask(runId, key, { status: 'running', attempt, agent: 'summarizer@1.0.0' });
const cancelled = (runId: string, key: string, attempt = 1) =>
  sampleTask(runId, key, { status: 'cancelled', attempt, agent: 'summarizer@1.0.0' });
const succeeded = (key: string, output: unknown = { summary: key }): WorkOutcome => ({
  type: 'agent.succeeded',
  taskKey: key,
  attempt: 1,
  output,
  costUsd: 0.002,
});
const delta = (tasks: RunDelta['tasks'], work: WorkItem[] = []): RunDelta => ({
  runId: 'r1',
  tasks,
  events: [],
  work,
});

/** `count` runs owned by `owner`, each with one running task `t` whose work is in the outbox. */
function dispatchedRuns(count: number, owner: string): NewRun[] {
  return Array.from({ length: count }, (_, i) => ({
    run: sampleRun(`run_${i}`, { owner, leaseUntil: 99_000 }),
    tasks: [running(`run_${i}`, 't')],
    events: [],
  }));
}

describe.skipIf(!hasPostgres)('PostgresStore as the outbox', () => {
  const databases = useTestDatabases();
  let url: string;
  let store: PostgresStore;
  beforeEach(async () => {
    url = await databases.empty();
    store = await PostgresStore.open(url);
  });
  afterEach(async () => {
    await store.close();
  });

  describe('applies a commit that writes and drops work like the memory store', () => {
    /** A commit sequence, run against both stores after r1 got task `a` dispatched and claimed. */
    const scenarios: Record<string, RunDelta[][]> = {
      'work dropped by a later delta of the same commit': [
        [delta([running('r1', 'b')], [workItem('r1', 'b')]), delta([cancelled('r1', 'b')])],
      ],
      'a dropped task dispatched again with the same attempt in a later delta': [
        [delta([cancelled('r1', 'a')]), delta([running('r1', 'a')], [workItem('r1', 'a', { queuedAt: 7 })])],
      ],
      'a dropped task dispatched again in the same delta': [
        [delta([cancelled('r1', 'a')], [workItem('r1', 'a', { attempt: 2, queuedAt: 8 })])],
      ],
      'a repeat of stored work, and two items of one attempt': [
        [
          delta([], [workItem('r1', 'a', { queuedAt: 5 })]),
          delta([running('r1', 'c')], [workItem('r1', 'c', { queuedAt: 6 })]),
          delta([], [workItem('r1', 'c', { queuedAt: 9 })]),
        ],
      ],
      'a drop in one commit and new work in the next': [
        [delta([cancelled('r1', 'a')])],
        [delta([running('r1', 'a', 2)], [workItem('r1', 'a', { attempt: 2 })])],
      ],
      'a task of a run created in the same commit': [
        [
          {
            runId: 'r2',
            tasks: [cancelled('r2', 'x')],
            events: [],
            work: [workItem('r2', 'x'), workItem('r2', 'y')],
          },
        ],
      ],
    };

    /** What the outbox holds: queued items, and whether the first claim still renews. */
    async function outboxAfter(
      s: Store & WorkStore,
      commits: RunDelta[][],
    ): Promise<{ queued: WorkItem[]; firstClaimRenews: boolean; claimable: string[] }> {
      await s.createRun(sampleRun('r1', { owner: 'server-a' }), [running('r1', 'a')], []);
      await s.commit([delta([], [workItem('r1', 'a')])]);
      const claim = await s.claimWork({ runId: 'r1', taskKey: 'a', attempt: 1 }, 'w1', 2_000, 90_000);
      if (!claim) throw new Error('the first claim should have succeeded');
      for (const deltas of commits) {
        const created = deltas.some((d) => d.runId === 'r2')
          ? [{ run: sampleRun('r2'), tasks: [], events: [] }]
          : [];
        await s.commit(deltas, created);
      }
      const queued = await s.pendingWork(0, 1e15);
      const firstClaimRenews = await s.renewWork(claim, 95_000);
      const claimable: string[] = [];
      for (const item of queued) {
        if (await s.claimWork(item, 'w2', 3_000, 4_000)) claimable.push(`${item.taskKey}#${item.attempt}`);
      }
      return { queued, firstClaimRenews, claimable };
    }

    for (const [name, commits] of Object.entries(scenarios)) {
      it(name, async () => {
        const memory = new MemoryStore();
        const expected = await outboxAfter(memory, commits);
        const actual = await outboxAfter(store, commits);
        const byKey = (items: WorkItem[]) =>
          [...items].sort((x, y) =>
            `${x.runId}/${x.taskKey}/${x.attempt}`.localeCompare(`${y.runId}/${y.taskKey}/${y.attempt}`),
          );
        expect(byKey(actual.queued)).toEqual(byKey(expected.queued));
        expect(actual.claimable.sort()).toEqual(expected.claimable.sort());
        expect(actual.firstClaimRenews).toBe(expected.firstClaimRenews);
        await memory.close();
      });
    }
  });

  it('keeps a claim on dropped work stale once the same attempt is dispatched and claimed again', async () => {
    const signal = { runId: 'r1', taskKey: 'a', attempt: 1 };
    await store.createRun(sampleRun('r1', { owner: 'server-a' }), [], []);
    await store.commit([delta([running('r1', 'a')], [workItem('r1', 'a')])]);
    const stale = await store.claimWork(signal, 'w1', 2_000, 90_000);
    await store.commit([delta([cancelled('r1', 'a')]), delta([running('r1', 'a')], [workItem('r1', 'a')])]);
    const fresh = await store.claimWork(signal, 'w1', 3_000, 90_000);
    if (!stale || !fresh) throw new Error('both claims should have succeeded');
    // The replaced row kept its lease version, so the new claim's is higher and the old one cannot match it,
    // even from the same worker.
    expect(fresh.leaseVersion).toBeGreaterThan(stale.leaseVersion);
    expect(await store.renewWork(stale, 95_000)).toBe(false);
    expect(await store.completeWork(stale, succeeded('a'))).toBeUndefined();
    expect(await store.completeWork(fresh, succeeded('a'))).toEqual({ owner: 'server-a' });
  });

  it('never hands one item to two claimers, nor one outcome to two takers, across two stores', async () => {
    const count = 120;
    await store.commit(
      dispatchedRuns(count, 'server-a').map(({ run }) => ({
        runId: run.id,
        tasks: [],
        events: [],
        work: [workItem(run.id, 't')],
      })),
      dispatchedRuns(count, 'server-a'),
    );
    const second = await PostgresStore.open(url);
    try {
      const signals = Array.from({ length: count }, (_, i) => ({
        runId: `run_${i}`,
        taskKey: 't',
        attempt: 1,
      }));
      const claims: WorkClaim[] = [];
      // Four claimers, two per store, each going through every signal: every item is raced for.
      const claimer = async (s: PostgresStore, worker: string, reverse: boolean): Promise<void> => {
        for (const signal of reverse ? [...signals].reverse() : signals) {
          const claim = await s.claimWork(signal, worker, 1_000, 60_000);
          if (claim) claims.push(claim);
        }
      };
      await Promise.all([
        claimer(store, 'w1', false),
        claimer(store, 'w2', true),
        claimer(second, 'w3', false),
        claimer(second, 'w4', true),
      ]);
      expect(claims).toHaveLength(count);
      expect(new Set(claims.map((c) => c.item.runId)).size).toBe(count);

      const owners = await Promise.all(
        claims.map((claim, i) =>
          (i % 2 === 0 ? store : second).completeWork(claim, succeeded(claim.item.runId)),
        ),
      );
      expect(owners.every((o) => o?.owner === 'server-a')).toBe(true);

      const taken: string[] = [];
      const taker = async (s: PostgresStore): Promise<void> => {
        for (;;) {
          const results = await s.takeResults('server-a', 7);
          expect(results.length).toBeLessThanOrEqual(7);
          if (results.length === 0) return;
          for (const { runId, outcome } of results) {
            expect(outcome).toEqual(succeeded(runId));
            taken.push(runId);
          }
        }
      };
      await Promise.all([taker(store), taker(store), taker(second), taker(second)]);
      expect(taken).toHaveLength(count);
      expect(new Set(taken).size).toBe(count);
    } finally {
      await second.close();
    }
  });

  it('costs one round trip per call: commit with work, claim, renew, checkpoint, complete, take, pending', async () => {
    await store.createRun(sampleRun('r1', { owner: 'server-a' }), [], []);
    const trips = async (act: () => Promise<unknown>): Promise<number> => {
      const before = store.stats().roundTrips;
      await act();
      return store.stats().roundTrips - before;
    };
    const work = Array.from({ length: 20 }, (_, i) => workItem('r1', `t${i}`));
    expect(
      await trips(() =>
        store.commit([{ runId: 'r1', tasks: work.map((w) => running('r1', w.taskKey)), events: [], work }]),
      ),
    ).toBe(1);
    let claim: WorkClaim | undefined;
    expect(await trips(async () => (claim = await store.claimWork(work[0]!, 'w1', 2_000, 5_000)))).toBe(1);
    if (!claim) throw new Error('the claim should have succeeded');
    const held = claim;
    expect(await trips(() => store.renewWork(held, 6_000))).toBe(1);
    expect(await trips(() => store.saveCheckpoint(held, { page: 2 }))).toBe(1);
    expect(await trips(() => store.completeWork(held, succeeded('t0')))).toBe(1);
    expect(await trips(() => store.takeResults('server-a'))).toBe(1);
    expect(await trips(() => store.pendingWork(10_000, 10_000))).toBe(1);
  });

  it('gives back input, checkpoint and outcome payloads jsonb cannot hold as written', async () => {
    const tricky = { nul: 'a \u0000 b', lone: '\uD800 \uDFFF', marker: '\uFDD0 \uFDD00', escaped: '\\u0000' };
    await store.createRun(sampleRun('r1', { owner: 'server-a' }), [running('r1', 'a')], []);
    const item = workItem('r1', 'a', { input: tricky, checkpoint: [tricky, null] });
    await store.commit([delta([], [item])]);
    const claim = await store.claimWork(item, 'w1', 2_000, 5_000);
    expect(claim?.item).toEqual(item);
    if (!claim) throw new Error('the claim should have succeeded');
    expect(await store.saveCheckpoint(claim, { saved: tricky })).toBe(true);
    await store.completeWork(claim, succeeded('a', tricky));
    expect(await store.takeResults('server-a')).toEqual([
      { runId: 'r1', outcome: succeeded('a', tricky), checkpoint: { saved: tricky } },
    ]);
    // A JSON null checkpoint stays null; an absent one stays absent.
    const nullCheckpoint = workItem('r1', 'b', { checkpoint: null });
    await store.commit([delta([running('r1', 'b')], [nullCheckpoint])]);
    const nullClaim = await store.claimWork(nullCheckpoint, 'w1', 2_000, 5_000);
    expect(nullClaim?.item).toStrictEqual(nullCheckpoint);
    if (!nullClaim) throw new Error('the claim should have succeeded');
    await store.completeWork(nullClaim, succeeded('b'));
    expect(await store.takeResults('server-a')).toStrictEqual([
      { runId: 'r1', outcome: succeeded('b'), checkpoint: null },
    ]);
  });

  it('signals lost work by run priority, rank and age, up to the limit, requeueing what it returns', async () => {
    await store.createRun(sampleRun('r1', { owner: 'server-a' }), [], []);
    const items = [
      workItem('r1', 'low', { runPriority: 10, rank: 500, queuedAt: 1 }),
      workItem('r1', 'old', { rank: 50, queuedAt: 2 }),
      workItem('r1', 'young', { rank: 50, queuedAt: 3 }),
      workItem('r1', 'ranked', { rank: 90, queuedAt: 4 }),
      workItem('r1', 'urgent', { runPriority: 90, rank: 1, queuedAt: 5 }),
    ];
    await store.commit([delta([], items)]);
    const lost = await store.claimWork(items[0]!, 'w1', 10, 20);
    expect((await store.pendingWork(100, 100)).map((w) => w.taskKey)).toEqual([
      'urgent',
      'ranked',
      'old',
      'young',
      'low',
    ]);
    // Two leases run out; with a limit of one, the second stays claimed (its claim still renews) until later.
    const low = await store.claimWork(items[0]!, 'w2', 100, 200);
    const young = await store.claimWork(items[2]!, 'w3', 100, 200);
    if (!low || !young) throw new Error('both claims should have succeeded');
    expect(low.leaseVersion).toBeGreaterThan(lost?.leaseVersion ?? Infinity);
    expect((await store.pendingWork(300, 0, 1)).map((w) => w.taskKey)).toEqual(['young']);
    expect(await store.renewWork(young, 400)).toBe(false);
    expect(await store.renewWork(low, 250)).toBe(true);
    expect((await store.pendingWork(300, 0, 1)).map((w) => w.taskKey)).toEqual(['low']);
    expect(await store.renewWork(low, 400)).toBe(false);
    expect(await store.pendingWork(300, 0)).toEqual([]);
  });

  it('maps failures: work of a missing run, a payload JSON cannot hold, a closed store', async () => {
    await store.createRun(sampleRun('r1', { owner: 'server-a' }), [], []);
    const ghost = store.commit([{ runId: 'ghost', tasks: [], events: [], work: [workItem('ghost', 'a')] }]);
    await expect(ghost).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(ghost).rejects.toThrow('run "ghost" does not exist');

    await store.commit([delta([running('r1', 'a')], [workItem('r1', 'a')])]);
    const claim = await store.claimWork(workItem('r1', 'a'), 'w1', 2_000, 5_000);
    if (!claim) throw new Error('the claim should have succeeded');
    const before = store.stats().roundTrips;
    await expect(store.completeWork(claim, succeeded('a', { big: 1n }))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
    });
    expect(store.stats().roundTrips).toBe(before);

    await store.close();
    for (const act of [
      () => store.claimWork(workItem('r1', 'a'), 'w1', 2_000, 5_000),
      () => store.takeResults('server-a'),
      () => store.pendingWork(1, 1),
    ]) {
      await expect(act()).rejects.toThrow('is closed');
    }
  });
});
