import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent, TaskRecord } from '@baton/core';
import { runBaton } from '../testing/run-baton.js';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-cli-fork-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const baton = (...args: string[]) => runBaton([...args, '--data-dir', dataDir]);

describe('baton runs fork', () => {
  it('runs a finished template run again from a middle node, reusing the outputs upstream of it', async () => {
    const original = await baton(
      'run',
      'templates/rfp-response.json',
      '--input-file',
      'examples/inputs/rfp-response.json',
      '--json',
    );
    expect(original.code).toBe(0);
    const before = JSON.parse(original.stdout) as { run: { id: string }; tasks: TaskRecord[] };
    const originalId = before.run.id;

    const fork = await baton('runs', 'fork', originalId, '--from', 'draft_technical');
    expect(fork.stderr).toBe('');
    expect(fork.code).toBe(0);
    const forkId = /run (\S+) · fork of (\S+) at draft_technical\n/.exec(fork.stdout)?.[1] ?? '';
    expect(fork.stdout).toContain(`fork of ${originalId} at draft_technical`);
    expect(fork.stdout).toMatch(/✓ completed in /);

    const shown = await baton('runs', 'show', forkId, '--events', '--json');
    const details = JSON.parse(shown.stdout) as {
      run: { status: string; labels: Record<string, string> };
      tasks: TaskRecord[];
      events: RunEvent[];
    };
    expect(details.run.status).toBe('completed');
    expect(details.run.labels).toMatchObject({
      'baton.forked-from': originalId,
      'baton.fork-at': 'draft_technical',
    });
    const upstream = ['analyze', 'extract', 'research', 'summarize', 'price'];
    const reused = details.events.flatMap((e) =>
      e.type === 'task.progress' && e.message === `reused the output of run ${originalId}` ? [e.taskKey] : [],
    );
    expect(reused.sort()).toEqual([...upstream].sort());
    const task = (tasks: TaskRecord[], key: string) => tasks.find((t) => t.key === key);
    for (const key of upstream) {
      expect(task(details.tasks, key)?.costUsd, key).toBe(0);
      expect(task(details.tasks, key)?.output, key).toEqual(task(before.tasks, key)?.output);
    }
    expect(task(details.tasks, 'draft_technical')?.costUsd).toBeGreaterThan(0);

    const text = await baton('runs', 'show', forkId);
    expect(text.stdout).toContain(`fork of run ${originalId} at draft_technical\n`);
  });

  it('refuses a node the workflow does not have', async () => {
    const list = JSON.parse((await baton('runs', 'list', '--status', 'completed', '--json')).stdout) as {
      id: string;
    }[];
    const result = await baton('runs', 'fork', list[0]?.id ?? '', '--from', 'nowhere');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no node "nowhere"/);
  });
});
