import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { RunDelta, RunRecord, TaskRecord } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import type { BenchResult } from './measure.js';

/** W1 of DESIGN §7: 10-step chains with 50 runs in flight; a finished run's slot goes to the next run. */
const IN_FLIGHT = 50;
const STEPS_PER_RUN = 10;
const WARM_UP_STEPS = 2_000;
const STEPS = 30_000;
const REPEATS = 3;
/**
 * Commit sizes and the store's budget at each. Under W1's load (50 in flight) the engine groups the
 * completions of one event-loop turn into one commit, and there the store may take at most half of DESIGN
 * §7's end-to-end 70 µs per step: the engine, the queue and the agent call need the rest. A lone step per
 * commit pays a whole transaction and is held to the end-to-end budget.
 */
const GROUPS = [
  { size: 1, budgetUs: 70 },
  { size: 10, budgetUs: 35 },
  { size: 50, budgetUs: 35 },
] as const;
const BUDGET_BYTES_PER_STEP = 2_048;

/** About 200 bytes of JSON, like a small agent output. */
function output(step: number): Record<string, unknown> {
  return {
    summary: `Step ${step}: the invoice total matches the purchase order and the vendor is approved.`,
    score: (step % 100) / 100,
    tokens: 100 + (step % 50),
    tags: ['finance', 'checked'],
  };
}

/**
 * What one engine step writes: the finished task row replaced whole, the next task row inserted, and two
 * events (`task.succeeded` with the output, `task.ready`). No run fields change.
 */
function step(runId: string, index: number, at: number): RunDelta {
  const done: TaskRecord = {
    runId,
    key: `n${index}`,
    nodeId: `n${index}`,
    status: 'succeeded',
    attempt: 1,
    agent: 'builtin.noop@1.0.0',
    output: output(index),
    port: 'out',
    costUsd: 0,
    readyAt: at - 2,
    startedAt: at - 1,
    endedAt: at,
  };
  const next: TaskRecord = {
    runId,
    key: `n${index + 1}`,
    nodeId: `n${index + 1}`,
    status: 'ready',
    attempt: 1,
    costUsd: 0,
    readyAt: at,
  };
  return {
    runId,
    tasks: [done, next],
    events: [
      {
        type: 'task.succeeded',
        runId,
        seq: 2 * index + 2,
        at,
        taskKey: done.key,
        nodeId: done.nodeId,
        attempt: 1,
        output: done.output,
        port: 'out',
        costUsd: 0,
      },
      { type: 'task.ready', runId, seq: 2 * index + 3, at, taskKey: next.key, nodeId: next.nodeId },
    ],
  };
}

function run(id: string): RunRecord {
  return {
    id,
    workflowId: 'chain',
    workflowVersion: '1.0.0',
    status: 'running',
    priority: 50,
    input: { amount: 1200 },
    vars: {},
    costUsd: 0,
    createdAt: 0,
    startedAt: 0,
  };
}

const runId = (n: number): string => `run_${String(n).padStart(8, '0')}`;

/**
 * Every step of the workload, built before timing. Steps go round-robin over the runs in flight, as their
 * completions would arrive; a run's last step also completes the run. Ids grow with creation time, as the
 * time-ordered ids of production do.
 */
function workload(steps: number): { runs: RunRecord[]; deltas: RunDelta[] } {
  const deltas: RunDelta[] = [];
  const runs: RunRecord[] = [];
  const slots = Array.from({ length: IN_FLIGHT }, (_, i) => ({ run: i, index: 0 }));
  for (let i = 0; i < IN_FLIGHT; i++) runs.push(run(runId(i)));
  for (let i = 0; i < steps; i++) {
    const slot = slots[i % IN_FLIGHT]!;
    const delta = step(runId(slot.run), slot.index, i);
    if (++slot.index === STEPS_PER_RUN) {
      delta.run = { status: 'completed', endedAt: i, output: output(i) };
      slot.run = runs.length;
      slot.index = 0;
      runs.push(run(runId(slot.run)));
    }
    deltas.push(delta);
  }
  return { runs, deltas };
}

function fileBytes(path: string): number {
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) {
    try {
      bytes += statSync(file).size;
    } catch {
      // No write-ahead log left after a clean close.
    }
  }
  return bytes;
}

/** Commits `STEPS` steps in commits of `group` steps to a fresh file; returns µs per step and file bytes per step. */
async function measure(group: number): Promise<{ usPerStep: number; bytesPerStep: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-store-bench-'));
  const path = join(dir, 'baton.db');
  try {
    const store = SqliteStore.open({ path });
    const { runs, deltas } = workload(WARM_UP_STEPS + STEPS);
    // Runs are created outside the timing: their cost is per run, the budget is per step.
    for (const record of runs) {
      await store.createRun(
        record,
        [{ runId: record.id, key: 'n0', nodeId: 'n0', status: 'ready', attempt: 1, costUsd: 0 }],
        [{ type: 'run.started', runId: record.id, seq: 1, at: 0 }],
      );
    }
    for (let i = 0; i < WARM_UP_STEPS; i += group) await store.commit(deltas.slice(i, i + group));
    const start = performance.now();
    for (let i = WARM_UP_STEPS; i < deltas.length; i += group) await store.commit(deltas.slice(i, i + group));
    const elapsedMs = performance.now() - start;
    await store.close();
    return {
      usPerStep: (elapsedMs * 1_000) / STEPS,
      bytesPerStep: fileBytes(path) / (WARM_UP_STEPS + STEPS),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Commits W1-shaped steps (a task row replaced, a task row added, two events, ~200-byte payloads) to a
 * `SqliteStore` (WAL, synchronous=NORMAL) in a temp directory, 1, 10 and 50 steps per commit, and reports the
 * median of three fresh files: steps/s, µs per step and file bytes per step.
 */
export async function runStoreBench(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const { size, budgetUs } of GROUPS) {
    const runs: { usPerStep: number; bytesPerStep: number }[] = [];
    for (let i = 0; i < REPEATS; i++) runs.push(await measure(size));
    const usPerStep = median(runs.map((r) => r.usPerStep));
    const bytesPerStep = median(runs.map((r) => r.bytesPerStep));
    const label = `store: SQLite, ${size} step${size === 1 ? '' : 's'} per commit`;
    const met = usPerStep <= budgetUs;
    results.push(
      {
        name: `${label}, throughput`,
        value: Math.round(1_000_000 / usPerStep),
        unit: 'steps/s',
        budget: `≥ ${Math.round(1_000_000 / budgetUs).toLocaleString('en-US')} steps/s`,
        met,
      },
      {
        name: `${label}, time per step`,
        value: round(usPerStep, 1),
        unit: 'µs',
        budget: `≤ ${budgetUs} µs`,
        met,
      },
      {
        name: `${label}, file bytes per step`,
        value: Math.round(bytesPerStep),
        unit: 'B',
        budget: `≤ ${BUDGET_BYTES_PER_STEP.toLocaleString('en-US')} B`,
        met: bytesPerStep <= BUDGET_BYTES_PER_STEP,
      },
    );
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const result of await runStoreBench()) {
    console.log(
      `${result.name}: ${result.value.toLocaleString('en-US')} ${result.unit} (budget ${result.budget}) ${result.met ? 'met' : 'MISSED'}`,
    );
  }
}
