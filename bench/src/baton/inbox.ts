import { performance } from 'node:perf_hooks';
import type { Baton, PendingApproval } from '@baton/embedded';
import { median, round, type BenchResult } from '../measure.js';
import { isEntryPoint } from '../workloads.js';
import { check, withBaton, workflow } from './harness.js';

/** DESIGN §7's count of runs waiting on approvals: the inbox must list them all. */
export const INBOX_RUNS = 10_000;
/** One run in this many asks `ana` rather than the managers, for the filtered listing. */
const ANA_EVERY = 10;
/** Listings timed per figure; the median is reported. */
const LISTINGS = 5;

const approval = (id: string, assignee: string): Record<string, unknown> =>
  workflow(
    id,
    [
      { id: 'ask', type: 'approval', assignee, message: 'Approve {{ input.n }}?' },
      { id: 'done', type: 'transform', set: { approved: 'true' } },
    ],
    [{ from: 'ask', to: 'done', port: 'approved' }],
  );

/** Starts `INBOX_RUNS` runs that each wait on an approval, and resolves once every request is committed. */
async function startWaitingRuns(baton: Baton): Promise<string[]> {
  const managers = baton.parseWorkflow(approval('bench-inbox', 'role:manager'));
  const ana = baton.parseWorkflow(approval('bench-inbox-ana', 'ana'));
  let requested = 0;
  let allRequested: () => void = () => undefined;
  const waiting = new Promise<void>((resolve) => (allRequested = resolve));
  const stop = baton.subscribe('*', (event) => {
    if (event.type === 'approval.requested' && ++requested === INBOX_RUNS) allRequested();
  });
  const ids: string[] = [];
  // Started in slices of 500 so the start calls themselves do not pile up as pending promises.
  for (let from = 0; from < INBOX_RUNS; from += 500) {
    const slice = Array.from({ length: 500 }, (_, k) =>
      baton.startRun((from + k) % ANA_EVERY === 0 ? ana : managers, { n: from + k }),
    );
    ids.push(...(await Promise.all(slice)).map((run) => run.id));
  }
  await waiting;
  stop();
  // Every request is logged; the inbox reads the store, so wait until the runs there wait too.
  for (;;) {
    const stored = await baton.listRuns({ status: 'waiting', limit: INBOX_RUNS + 1 });
    if (stored.length === INBOX_RUNS) return ids;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The median time of `LISTINGS` calls, after checking what the first one returned. */
async function timed(
  list: () => Promise<PendingApproval[]>,
  expected: number,
  what: string,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < LISTINGS; i++) {
    const start = performance.now();
    const listed = await list();
    times.push(performance.now() - start);
    check(listed.length === expected, `${what}: the inbox listed ${listed.length}, expected ${expected}`);
  }
  return median(times);
}

/**
 * The approvals inbox with `INBOX_RUNS` runs waiting on an approval in an embedded Baton (SQLite): how long
 * `pendingApprovals()` takes to list all of them, the tenth one person is asked for, and one run's.
 */
export async function runInboxBench(): Promise<BenchResult[]> {
  return withBaton([], 256, async (baton) => {
    const ids = await startWaitingRuns(baton);
    const all = await timed(() => baton.pendingApprovals(), INBOX_RUNS, 'all');
    const ana = await timed(() => baton.pendingApprovals({ assignee: 'ana' }), INBOX_RUNS / ANA_EVERY, 'ana');
    const one = await timed(() => baton.pendingApprovals({ runId: ids[ids.length >> 1]! }), 1, 'one run');
    const name = `approvals inbox, ${INBOX_RUNS.toLocaleString('en-US')} runs waiting (SQLite)`;
    const figure = (label: string, ms: number): BenchResult => ({
      name: `${name}: ${label}`,
      value: round(ms, 1),
      unit: 'ms',
      budget: '—',
      met: true,
    });
    return [
      figure(`list all ${INBOX_RUNS.toLocaleString('en-US')}`, all),
      figure(`one assignee's ${(INBOX_RUNS / ANA_EVERY).toLocaleString('en-US')}`, ana),
      figure('one run', one),
    ];
  });
}

if (isEntryPoint(import.meta.url)) {
  for (const result of await runInboxBench()) console.log(`${result.name}: ${result.value} ${result.unit}`);
}
