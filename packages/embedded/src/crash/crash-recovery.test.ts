import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createBaton } from '../create-baton.js';
import { expectedOutput } from './crash-workload.js';

/** The child runs from the build, like a real process would; `npm test` builds before it tests. */
const child = fileURLToPath(new URL('../../dist/crash/crash-child.js', import.meta.url));
const RUNS = 200;
const KILLS = 4;

const dataDir = mkdtempSync(join(tmpdir(), 'baton-crash-'));
const logFile = join(dataDir, 'invocations.log');

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startChild(): { process: ChildProcess; ready: Promise<void>; done: Promise<number | null> } {
  const proc = spawn(process.execPath, [child, dataDir, logFile, String(RUNS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`crash child exited ${code}: ${stderr}`));
    });
  });
  const done = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { process: proc, ready, done };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash recovery', () => {
  it('finishes every run after kill -9 at random moments, never repeating a committed step', async () => {
    expect(existsSync(child), 'build first: npm run build').toBe(true);
    const kills: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const proc = startChild();
      await proc.ready;
      await sleep(150 + Math.floor(Math.random() * 450));
      kills.push(Date.now());
      proc.process.kill('SIGKILL');
      await proc.done;
    }
    const last = startChild();
    expect(await last.done).toBe(0);

    const baton = await createBaton({ dataDir });
    try {
      const runs = await baton.listRuns({ limit: RUNS + 10 });
      expect(runs).toHaveLength(RUNS);
      for (const run of runs) {
        expect(run.status).toBe('completed');
        expect(run.output).toEqual({ value: expectedOutput(Number(run.input['n'])) });
      }

      // Every start of a step, by task (runId:taskKey) with its attempts and times.
      const starts = new Map<string, { attempt: string; at: number }[]>();
      for (const line of readFileSync(logFile, 'utf8').split('\n')) {
        const [kind, key, at] = line.split(' ');
        if (kind !== 'start' || !key || !at) continue;
        const cut = key.lastIndexOf(':');
        const task = key.slice(0, cut);
        const list = starts.get(task) ?? [];
        list.push({ attempt: key.slice(cut + 1), at: Number(at) });
        starts.set(task, list);
      }
      let rerun = 0;
      for (const run of runs) {
        const details = await baton.getRun(run.id);
        for (const task of details?.tasks ?? []) {
          const list = starts.get(`${run.id}:${task.key}`) ?? [];
          expect(list.length, `${run.id}:${task.key} never ran`).toBeGreaterThan(0);
          // A recovered in-flight step keeps its attempt number, so its idempotency key repeats.
          expect(new Set(list.map((s) => s.attempt)).size).toBe(1);
          if (list.length > 1) {
            rerun += list.length - 1;
            // Only a step that was in flight when the process died may run again: a kill must fall between
            // its first start and the commit of its result.
            const first = Math.min(...list.map((s) => s.at));
            const killedInFlight = kills.some((k) => k >= first && k <= (task.endedAt ?? Infinity));
            expect(killedInFlight, `${run.id}:${task.key} ran again without a crash in flight`).toBe(true);
          }
        }
      }
      expect(rerun).toBeGreaterThan(0);
    } finally {
      await baton.close();
    }
  }, 180_000);
});
