import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { FINAL_RUN_STATUSES } from '@baton/core';
import { createBaton, type AgentRegistration } from '@baton/embedded';
import { SqliteStore } from '@baton/store-sqlite';
import type { BenchResult } from '../measure.js';
import { argument, isEntryPoint } from '../workloads.js';
import { agentDefinition, agentNode, chain, check, workflow } from './harness.js';

/** W7 — 200 runs of 5 × 25 ms steps, 32 at a time, killed (`kill -9`) while they run, then restarted. */
const RUNS = 200;
const STEPS = 5;
const STEP_MS = 25;
const CONCURRENCY = 32;
/** How long after the first process is ready it is killed: work is in flight then. */
const KILL_AFTER_MS = 250;

const steps = chain('s', STEPS);
const crashWorkflow = workflow(
  'bench-crash',
  steps.ids.map((id, i) =>
    agentNode(id, 'bench.step', { count: i === 0 ? 0 : `{{ nodes.${steps.ids[i - 1]}.output.count }}` }),
  ),
  steps.edges,
  { steps: { value: `nodes.${steps.ids.at(-1)}.output.count` } },
);

/** Adds one after `STEP_MS`; logs `start <idempotencyKey> <epoch ms>` synchronously, so a kill loses no line. */
function loggedStep(logFile: string): AgentRegistration {
  return {
    definition: agentDefinition('bench.step', STEP_MS),
    handler: async (input, ctx) => {
      appendFileSync(logFile, `start ${ctx.idempotencyKey} ${Date.now()}\n`);
      await sleep(STEP_MS);
      return { count: Number(input['count']) + 1 };
    },
  };
}

/** The process that is killed and the one that resumes: opens the store, starts the runs once, drains. */
async function child(dataDir: string, logFile: string): Promise<void> {
  const baton = await createBaton({ dataDir, concurrency: CONCURRENCY, agents: [loggedStep(logFile)] });
  const marker = join(dataDir, 'runs-started');
  if (!existsSync(marker)) {
    const parsed = baton.parseWorkflow(crashWorkflow);
    await Promise.all(Array.from({ length: RUNS }, () => baton.startRun(parsed)));
    writeFileSync(marker, 'yes');
  }
  process.stdout.write(`ready ${Date.now()}\n`);
  for (;;) {
    const open = await baton.listRuns({ status: ['queued', 'running', 'waiting', 'paused'], limit: 1 });
    if (open.length === 0) break;
    await baton.waitForRun(open[0]?.id ?? '');
  }
  await baton.close();
}

/** Starts the child; resolves with the epoch time it printed `ready`, and gives its exit. */
function startChild(
  dataDir: string,
  logFile: string,
): { ready: Promise<number>; exit: Promise<void>; kill(): void } {
  const proc = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), `--data=${dataDir}`, `--log=${logFile}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<void>((resolve, reject) =>
    proc.on('exit', (code, signal) =>
      signal === 'SIGKILL' || code === 0
        ? resolve()
        : reject(new Error(`W7 child exited ${code}: ${stderr}`)),
    ),
  );
  const ready = new Promise<number>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      const match = /ready (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    exit.catch(reject);
  });
  return { ready, exit, kill: () => proc.kill('SIGKILL') };
}

/** Every `start` line of the log: task (runId:taskKey) → epoch times. */
function starts(logFile: string): Map<string, number[]> {
  const byTask = new Map<string, number[]>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const [kind, key, at] = line.split(' ');
    if (kind !== 'start' || !key || !at) continue;
    const task = key.slice(0, key.lastIndexOf(':'));
    byTask.set(task, [...(byTask.get(task) ?? []), Number(at)]);
  }
  return byTask;
}

/** Reads, without taking any run over, which runs are unfinished and which tasks had committed. */
async function snapshot(dataDir: string): Promise<{ unfinished: string[]; committed: Set<string> }> {
  const store = SqliteStore.open({ path: join(dataDir, 'baton.db') });
  try {
    const runs = await store.listRuns({ limit: RUNS + 1 });
    check(runs.length === RUNS, `${runs.length} runs in the store before the restart, expected ${RUNS}`);
    const committed = new Set<string>();
    for (const run of runs) {
      for (const task of (await store.loadRun(run.id))?.tasks ?? []) {
        if (task.status === 'succeeded') committed.add(`${run.id}:${task.key}`);
      }
    }
    return { unfinished: runs.filter((r) => !FINAL_RUN_STATUSES.has(r.status)).map((r) => r.id), committed };
  } finally {
    await store.close();
  }
}

/**
 * W7: kills a process driving 200 runs in the middle of their work, restarts it, and measures the time from the
 * restart until every unfinished run dispatches a step again; then checks every run's output and counts lost
 * steps (committed before the kill, missing after), repeated steps (committed before the kill, run again) and
 * steps that were in flight at the kill and ran again (allowed: at-least-once).
 */
export async function runCrashBench(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-crash-bench-'));
  const logFile = join(dataDir, 'steps.log');
  try {
    const first = startChild(dataDir, logFile);
    await first.ready;
    await sleep(KILL_AFTER_MS);
    first.kill();
    await first.exit;
    const before = await snapshot(dataDir);
    check(before.unfinished.length > 0, 'every run had finished before the kill; nothing to resume');
    const logged = starts(logFile);

    const restartedAt = Date.now();
    const second = startChild(dataDir, logFile);
    const readyAt = await second.ready;
    await second.exit;

    const after = starts(logFile);
    let resumedAt = restartedAt;
    for (const runId of before.unfinished) {
      const again = [...after.entries()]
        .filter(([task]) => task.startsWith(`${runId}:`))
        .flatMap(([, times]) => times.filter((t) => t >= restartedAt));
      check(again.length > 0, `run ${runId} never dispatched a step after the restart`);
      resumedAt = Math.max(resumedAt, Math.min(...again));
    }
    let repeated = 0;
    let rerunInFlight = 0;
    for (const [task, times] of after) {
      const runAgain =
        times.filter((t) => t >= restartedAt).length > 0 && (logged.get(task)?.length ?? 0) > 0;
      if (runAgain && before.committed.has(task)) repeated++;
      else if (runAgain) rerunInFlight++;
    }
    const baton = await createBaton({ dataDir, agents: [loggedStep(logFile)] });
    let lost = 0;
    try {
      for (const run of await baton.listRuns({ limit: RUNS + 1 })) {
        check(run.status === 'completed', `run ${run.id} ended ${run.status}`);
        check(run.output?.['steps'] === STEPS, `run ${run.id} output ${JSON.stringify(run.output)}`);
        const tasks = (await baton.getRun(run.id))?.tasks ?? [];
        for (const task of tasks) {
          if (before.committed.has(`${run.id}:${task.key}`) && task.status !== 'succeeded') lost++;
        }
      }
    } finally {
      await baton.close();
    }
    const name = `W7 crash: ${RUNS} runs of ${STEPS} × ${STEP_MS} ms, kill -9 with ${before.unfinished.length} unfinished`;
    return [
      {
        name: `${name}, restart → store open`,
        value: readyAt - restartedAt,
        unit: 'ms',
        budget: '—',
        met: true,
      },
      {
        name: `${name}, restart → every unfinished run dispatching again`,
        value: resumedAt - restartedAt,
        unit: 'ms',
        budget: '≤ 1,000 ms',
        met: resumedAt - restartedAt <= 1_000,
      },
      { name: `${name}, committed steps lost`, value: lost, unit: '', budget: '0', met: lost === 0 },
      {
        name: `${name}, committed steps run again`,
        value: repeated,
        unit: '',
        budget: '0',
        met: repeated === 0,
      },
      {
        name: `${name}, in-flight steps run again (at-least-once)`,
        value: rerunInFlight,
        unit: '',
        budget: '—',
        met: true,
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isEntryPoint(import.meta.url)) {
  const data = argument('data');
  const log = argument('log');
  if (data && log) await child(data, log);
  else for (const r of await runCrashBench()) console.log(`${r.name}: ${r.value} ${r.unit} (${r.budget})`);
}
