import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent, RunRecord } from '@baton/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createBaton, type Baton } from '../create-baton.js';
import { holdPoint, readJournal, sagaAgents, type JournalEntry } from './rollback-workload.js';

/** The child runs from the build, like a real process would; `npm test` builds before it tests. */
const child = fileURLToPath(new URL('../../dist/crash/rollback-child.js', import.meta.url));
/** Three runs at each hold point: in `charge`'s compensation, in `reserve`'s, and before the rollback began. */
const RUNS = 9;
/** Newest completion first: `charge` completed after `reserve`; `ship` failed, so it has nothing to undo. */
const COMPENSATED = ['charge', 'reserve'];

const dataDir = mkdtempSync(join(tmpdir(), 'baton-rollback-crash-'));
const journal = join(dataDir, 'journal.jsonl');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const proc of children) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function startChild(): { process: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const proc = spawn(process.execPath, [child, dataDir, journal, String(RUNS)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(proc);
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`rollback child exited ${code}: ${stderr}`));
    });
  });
  return { process: proc, ready, exited };
}

/** `promise`, or a rejection saying what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `condition` holds, checking every few milliseconds; rejects if `proc` exits first. */
async function until(condition: () => boolean, proc: ChildProcess, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`the child exited before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The runs the child holds at their hold point: the call there began in the child and never returned. */
function heldRuns(entries: readonly JournalEntry[], pid: number): Set<string> {
  return new Set(
    entries
      .filter((e) => e.pid === pid && e.phase === 'start' && e.taskKey === holdPoint(e.n))
      .map((e) => e.runId),
  );
}

/** Checks one run after the restart against the store, its event log and the journal of agent calls. */
async function checkRun(baton: Baton, run: RunRecord, entries: readonly JournalEntry[], childPid: number) {
  const n = Number(run.input['n']);
  const held = holdPoint(n);
  const label = `run ${n} (held at ${held})`;
  expect(run.status, label).toBe('rolled_back');
  expect(run.error?.message, label).toContain('out of stock');

  const events: RunEvent[] = await baton.readEvents(run.id);
  const ofType = <T extends RunEvent['type']>(type: T) =>
    events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  const started = ofType('rollback.started');
  expect(started, label).toHaveLength(1);
  expect(started[0]?.compensations, label).toEqual(COMPENSATED);
  expect(
    ofType('run.rolled_back').map((e) => e.compensated),
    label,
  ).toEqual([COMPENSATED]);
  expect(
    ofType('compensation.succeeded').map((e) => [e.taskKey, e.attempt]),
    label,
  ).toEqual([
    ['charge~undo', 1],
    ['reserve~undo', 1],
  ]);
  expect(ofType('compensation.failed'), label).toEqual([]);
  // A compensation recovered in flight starts again under the same attempt, never a new one.
  expect(new Set(ofType('compensation.started').map((e) => e.attempt)), label).toEqual(new Set([1]));

  const tasks = new Map((await baton.getRun(run.id))?.tasks.map((t) => [t.key, t]));
  expect([...tasks.keys()].sort(), label).toEqual([
    'charge',
    'charge~undo',
    'reserve',
    'reserve~undo',
    'ship',
  ]);
  expect(tasks.get('ship')?.status, label).toBe('failed');
  for (const key of ['reserve', 'charge', 'charge~undo', 'reserve~undo']) {
    expect(tasks.get(key), `${label}: ${key}`).toMatchObject({ status: 'succeeded', attempt: 1 });
  }
  // The order of the compensations is the reverse of the order the steps completed in.
  expect(tasks.get('reserve')?.endedAt ?? Infinity, label).toBeLessThan(tasks.get('charge')?.endedAt ?? 0);

  // The agent calls of this run, in the order they were made.
  const calls = entries.filter((e) => e.runId === run.id);
  const starts = (key: string) => calls.filter((e) => e.phase === 'start' && e.taskKey === key);
  const ends = (key: string) => calls.filter((e) => e.phase === 'end' && e.taskKey === key);
  // The completed steps never ran again; only the call the crash interrupted did, once more, after the restart.
  expect(starts('reserve'), label).toHaveLength(1);
  expect(starts('charge'), label).toHaveLength(1);
  expect(starts('ship'), label).toHaveLength(held === 'ship' ? 2 : 1);
  // Which process called each compensation: the one in flight at the kill, first the child and again here
  // (at least once); one the child finished before the kill, the child alone; one after it, this process alone.
  const callers: Record<string, Record<string, number[]>> = {
    'charge~undo': { 'charge~undo': [childPid, process.pid], 'reserve~undo': [process.pid] },
    'reserve~undo': { 'charge~undo': [childPid], 'reserve~undo': [childPid, process.pid] },
    ship: { 'charge~undo': [process.pid], 'reserve~undo': [process.pid] },
  };
  for (const key of ['charge~undo', 'reserve~undo']) {
    const made = starts(key);
    expect(
      made.map((e) => e.pid),
      `${label}: ${key}`,
    ).toEqual(callers[held]?.[key]);
    // Every call of a compensation carries the same idempotency key, so the outside system can dedupe them.
    expect(new Set(made.map((e) => e.idempotencyKey)), `${label}: ${key}`).toEqual(
      new Set([`${run.id}:${key}:1`]),
    );
    expect(new Set(made.map((e) => e.ref)), `${label}: ${key}`).toEqual(
      new Set([`${key.split('~')[0]}-${n}`]),
    );
    // Applied once: only the last call returned, in the process that made it.
    expect(
      ends(key).map((e) => e.pid),
      `${label}: ${key}`,
    ).toEqual(callers[held]?.[key]?.slice(-1));
  }
  // `reserve` is undone only after `charge`'s compensation returned: no call of it before that.
  const chargeUndone = calls.indexOf(ends('charge~undo')[0] as JournalEntry);
  expect(calls.indexOf(starts('reserve~undo')[0] as JournalEntry), label).toBeGreaterThan(chargeUndone);
  expect(starts('ship~undo'), label).toEqual([]);
  // The log of the crashed and recovered rollback is still one the engine reproduces exactly.
  const replay = await baton.replayRun(run.id);
  expect(replay.matches, `${label}: ${JSON.stringify(replay.divergence)}`).toBe(true);
}

describe('rollback crash recovery', () => {
  it('ends every run rolled_back after kill -9 mid-rollback, each compensation applied, newest completion first', async () => {
    expect(existsSync(child), 'build first: npm run build').toBe(true);
    const proc = startChild();
    await within(proc.ready, 10_000, 'the child to start its runs');
    const childPid = proc.process.pid ?? -1;
    // A held call was dispatched after its decision committed, so the store has the run as far as the call.
    const allHeld = () => heldRuns(readJournal(journal), childPid).size === RUNS;
    await until(allHeld, proc.process, 'every run reached its hold point', 10_000);
    proc.process.kill('SIGKILL');
    await proc.exited;

    const baton = await createBaton({ dataDir, agents: sagaAgents(journal, false) });
    try {
      const runs = await baton.listRuns({ limit: RUNS + 1 });
      expect(runs).toHaveLength(RUNS);
      const finished = await within(
        Promise.all(runs.map((run) => baton.waitForRun(run.id))),
        10_000,
        'every run to end after the restart',
      );
      const entries = readJournal(journal);
      for (const run of finished) await checkRun(baton, run, entries, childPid);
      expect(new Set(finished.map((run) => holdPoint(Number(run.input['n']))))).toEqual(
        new Set(['charge~undo', 'reserve~undo', 'ship']),
      );
    } finally {
      await baton.close();
    }
  }, 20_000);
});
