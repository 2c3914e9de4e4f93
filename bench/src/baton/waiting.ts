import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '@baton/core';
import { MB, collectGarbage } from '../measure.js';
import { inFreshProcess, isEntryPoint } from '../workloads.js';
import { check, withBaton, workflow } from './harness.js';

/** W5 — runs waiting on an approval: a waiting run must cost a row, not memory (DESIGN §4). */
export const WAITING_RUNS = 10_000;

const approvalWorkflow = workflow(
  'bench-approval',
  [
    { id: 'ask', type: 'approval', assignee: 'role:manager', message: 'Approve {{ input.n }}?' },
    { id: 'done', type: 'transform', set: { approved: 'true' } },
  ],
  [{ from: 'ask', to: 'done', port: 'approved' }],
);

async function waitingOnce(): Promise<{ rssDeltaMb: number; rssMb: number }> {
  return withBaton([], 256, async (baton) => {
    const parsed = baton.parseWorkflow(approvalWorkflow);
    collectGarbage();
    const before = process.memoryUsage().rss;
    let requested = 0;
    let allRequested: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => (allRequested = resolve));
    const stop = baton.subscribe('*', (event) => {
      if (event.type === 'approval.requested' && ++requested === WAITING_RUNS) allRequested();
    });
    // Started in slices of 500 so the start calls themselves do not pile up as pending promises.
    const slice = (from: number): Promise<RunRecord>[] =>
      Array.from({ length: 500 }, async (_, k) => baton.startRun(parsed, { n: from + k }));
    for (let i = 0; i < WAITING_RUNS; i += 500) await Promise.all(slice(i));
    await waiting;
    stop();
    // Let the last commit settle, then count live memory only.
    await sleep(20);
    collectGarbage();
    const after = process.memoryUsage().rss;
    const stored = await baton.listRuns({ status: 'waiting', limit: WAITING_RUNS + 1 });
    check(
      stored.length === WAITING_RUNS,
      `${stored.length} runs wait in the store, expected ${WAITING_RUNS}`,
    );
    return { rssDeltaMb: (after - before) / MB, rssMb: after / MB };
  });
}

/** W5 in a fresh Node process, so its RSS counts an embedded Baton and this workload only. */
export function waitingInFreshProcess(): Promise<{ rssDeltaMb: number; rssMb: number }> {
  return inFreshProcess(fileURLToPath(import.meta.url), ['--workload=w5']);
}

if (isEntryPoint(import.meta.url)) console.log(JSON.stringify(await waitingOnce()));
