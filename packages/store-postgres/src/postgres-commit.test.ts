import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewRun, RunDelta } from '@baton/core';
import { sampleEvent, sampleRun, sampleTask } from '@baton/testing';
import { PostgresStore } from './postgres-store.js';
import { hasPostgres, useTestDatabases } from './test-databases.test-helper.js';

/** `count` new runs, each with a first task and a `run.created`-like first event. */
function newRuns(count: number, prefix = 'run'): NewRun[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}_${i}`;
    return {
      run: sampleRun(id, { createdAt: i }),
      tasks: [sampleTask(id, 'n0')],
      events: [sampleEvent(id, 1)],
    };
  });
}

/** One engine step of each run: the task finished, the next is ready, two events, the cost went up. */
function steps(runs: readonly NewRun[], step: number): RunDelta[] {
  return runs.map(({ run }) => ({
    runId: run.id,
    run: { costUsd: step * 0.01 },
    tasks: [
      sampleTask(run.id, `n${step - 1}`, {
        status: 'succeeded',
        output: { step },
        port: 'out',
        endedAt: step,
      }),
      sampleTask(run.id, `n${step}`, { readyAt: step }),
    ],
    events: [sampleEvent(run.id, 2 * step), sampleEvent(run.id, 2 * step + 1)],
  }));
}

describe.skipIf(!hasPostgres)('PostgresStore commit', () => {
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

  it('writes a group commit in one round trip, for one run or fifty', async () => {
    for (const count of [1, 50]) {
      const runs = newRuns(count, `runs${count}`);
      let before = store.stats();
      await store.commit([], runs);
      expect(store.stats().commitRoundTrips - before.commitRoundTrips).toBe(1);
      for (const step of [1, 2]) {
        before = store.stats();
        await store.commit(steps(runs, step));
        const after = store.stats();
        expect(after.commits - before.commits).toBe(1);
        expect(after.commitRoundTrips - before.commitRoundTrips).toBe(1);
        expect(after.roundTrips - before.roundTrips).toBe(1);
        expect(after.commitBytesSent - before.commitBytesSent).toBeGreaterThan(0);
        // A step of a run is a few hundred bytes on the wire, not kilobytes.
        expect((after.commitBytesSent - before.commitBytesSent) / count).toBeLessThan(
          count === 1 ? 4_000 : 1_500,
        );
      }
      const last = runs[count - 1]!.run.id;
      expect((await store.loadRun(last))?.tasks.map((t) => t.key)).toEqual(['n0', 'n1', 'n2']);
      expect((await store.readEvents(last)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('sends nothing for a commit with nothing to write', async () => {
    const before = store.stats();
    await store.commit([]);
    await store.commit([{ runId: 'run_1', tasks: [], events: [] }]);
    expect(store.stats()).toEqual(before);
  });

  it('names the run and seq of a duplicate event in the conflict', async () => {
    await store.createRun(sampleRun('run, with a comma'), [], [sampleEvent('run, with a comma', 1)]);
    await expect(
      store.commit([
        { runId: 'run, with a comma', tasks: [], events: [sampleEvent('run, with a comma', 1)] },
      ]),
    ).rejects.toThrow('run "run, with a comma" already has an event with seq 1');
  });

  it('names an existing run that a commit tries to create again', async () => {
    await store.createRun(sampleRun('run_1'), [], []);
    await expect(store.createRun(sampleRun('run_1'), [], [])).rejects.toThrow('run "run_1" already exists');
  });

  it('names the missing run of a run change, and of a task row', async () => {
    for (const delta of [
      { runId: 'ghost', run: { costUsd: 1 }, tasks: [], events: [] },
      { runId: 'ghost', tasks: [sampleTask('ghost', 'a')], events: [] },
      { runId: 'ghost', tasks: [], events: [sampleEvent('ghost', 1)] },
    ]) {
      const failure = store.commit([delta]);
      await expect(failure).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(failure).rejects.toThrow('run "ghost" does not exist');
    }
  });

  it('clears a run field that a delta sets to undefined, also for a run created in the same call', async () => {
    const parent = { runId: 'p', taskKey: 'k' };
    await store.createRun(sampleRun('run_1', { owner: 'worker-1', leaseUntil: 5, parent }), [], []);
    const clear = { owner: undefined, parent: undefined } as unknown as { owner: string };
    await store.commit(
      [
        { runId: 'run_1', run: clear, tasks: [], events: [] },
        { runId: 'run_2', run: clear, tasks: [], events: [] },
      ],
      [{ run: sampleRun('run_2', { owner: 'worker-1', parent }), tasks: [], events: [] }],
    );
    expect(await store.getRun('run_1')).toStrictEqual(sampleRun('run_1', { leaseUntil: 5 }));
    expect(await store.getRun('run_2')).toStrictEqual(sampleRun('run_2'));
  });

  it('ignores keys of a run delta that are not run fields', async () => {
    await store.createRun(sampleRun('run_1'), [], []);
    const odd = { id: 'run_2', nonsense: 1, priority: 7 } as unknown as { priority: number };
    await store.commit([{ runId: 'run_1', run: odd, tasks: [], events: [] }]);
    expect(await store.getRun('run_1')).toStrictEqual(sampleRun('run_1', { priority: 7 }));
    expect(await store.getRun('run_2')).toBeUndefined();
  });

  it('keeps fractional times and costs exactly', async () => {
    const run = sampleRun('run_1', {
      createdAt: 1_700_000_000_000.25,
      costUsd: 0.1 + 0.2,
      leaseUntil: 2 ** 53,
    });
    await store.createRun(run, [sampleTask('run_1', 'a', { wakeAt: 1.5e12 + 0.5 })], []);
    expect(await store.loadRun('run_1')).toEqual({
      run,
      tasks: [sampleTask('run_1', 'a', { wakeAt: 1.5e12 + 0.5 })],
    });
  });

  it('lets concurrent claimers in two processes take every run exactly once', async () => {
    await store.commit([], newRuns(200));
    const second = await PostgresStore.open(url);
    try {
      const claimed: string[] = [];
      const claimer = async (s: PostgresStore, owner: string): Promise<void> => {
        for (;;) {
          const ids = await s.claimRuns(owner, 1_000, 31_000, 15);
          if (ids.length === 0) return;
          claimed.push(...ids);
        }
      };
      await Promise.all([
        claimer(store, 'worker-1'),
        claimer(store, 'worker-1'),
        claimer(second, 'worker-2'),
        claimer(second, 'worker-2'),
      ]);
      expect(claimed).toHaveLength(200);
      expect(new Set(claimed).size).toBe(200);
    } finally {
      await second.close();
    }
  });
});
