import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBaton, type AgentRegistration } from '@baton/embedded';
import { median, type BenchResult } from '../measure.js';
import { agentDefinition, agentNode, workflow } from './harness.js';

/** Pause/resume pairs sent to runs another Baton drives on the same store. */
const COMMANDS = 100;
/** DESIGN / issue: the driving engine notices a command within 100 ms. */
const NOTICE_BUDGET_MS = 100;

/**
 * Operator controls across processes: one Baton drives a run whose agent waits; another on the same SQLite
 * data directory sends pause and resume. Measured: from the call to the driver applying it (the `at` of its
 * `operator.acted` record), and the whole round trip until the call returns.
 */
export async function runControlsBench(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-controls-'));
  let release: () => void = () => undefined;
  const hold: AgentRegistration = {
    definition: agentDefinition('bench.hold', 1),
    handler: () => new Promise((resolve) => (release = () => resolve({}))),
  };
  const driver = await createBaton({ dataDir, agents: [hold] });
  const operator = await createBaton({ dataDir, agents: [hold] });
  try {
    const held = workflow('bench-controls', [agentNode('hold', 'bench.hold', {})], []);
    const run = await driver.startRun(held);
    const notice: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < COMMANDS; i++) {
      for (const act of ['pause', 'resume'] as const) {
        const sent = Date.now();
        const seen = (await driver.readEvents(run.id)).at(-1)?.seq ?? 0;
        await operator[act](run.id, 'bench');
        roundTrip.push(Date.now() - sent);
        const acted = (await operator.readEvents(run.id, seen)).find((e) => e.type === 'operator.acted');
        if (!acted) throw new Error(`the ${act} was not recorded`);
        notice.push(acted.at - sent);
      }
    }
    release();
    const done = await driver.waitForRun(run.id);
    if (done.status !== 'completed') throw new Error(`the held run ended ${done.status}`);
    const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;
    const name = `${COMMANDS * 2} pause/resume commands to a run another process drives (SQLite)`;
    return [
      {
        name: `${name}: applied after, p95`,
        value: p95(notice),
        unit: 'ms',
        budget: `≤ ${NOTICE_BUDGET_MS} ms`,
        met: p95(notice) <= NOTICE_BUDGET_MS,
      },
      {
        name: `${name}: applied after, median`,
        value: median(notice),
        unit: 'ms',
        budget: `≤ ${NOTICE_BUDGET_MS} ms`,
        met: median(notice) <= NOTICE_BUDGET_MS,
      },
      {
        name: `${name}: call returns after, p95`,
        value: p95(roundTrip),
        unit: 'ms',
        budget: '—',
        met: true,
      },
    ];
  } finally {
    await operator.close();
    await driver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
