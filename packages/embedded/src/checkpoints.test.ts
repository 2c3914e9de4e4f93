import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentError } from '@baton/core';
import { createBaton, type AgentFunction } from './create-baton.js';
import { functionAgent } from './testing/temp-baton.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-checkpoint-'));
  dirs.push(dir);
  return dir;
};

const workflow = {
  id: 'long-task',
  name: 'Long task',
  version: '1.0.0',
  nodes: [
    {
      id: 'crunch',
      type: 'agent',
      agent: { id: 't.crunch' },
      retry: { maxRetries: 2, backoff: 'fixed', initialDelayMs: 10, jitter: 0 },
    },
  ],
  outputs: { result: { value: 'nodes.crunch.output' } },
};

const crunch = (handler: AgentFunction) => ({
  definition: functionAgent('t.crunch', {
    config: { maxConcurrency: 10, timeout: 30_000, retryPolicy: { maxRetries: 2, backoff: 'exponential' } },
  }),
  handler,
});

describe('checkpoints of long tasks', () => {
  it('gives a retried attempt the progress the failed one saved', async () => {
    const seen: unknown[] = [];
    const baton = await createBaton({
      dataDir: freshDir(),
      agents: [
        crunch((_input, ctx) => {
          seen.push(ctx.checkpoint);
          if (ctx.attempt === 1) {
            ctx.saveCheckpoint({ rowsDone: 500 });
            throw new AgentError('the connection dropped', { retryable: true });
          }
          return { resumedFrom: ctx.checkpoint };
        }),
      ],
    });
    try {
      const run = await baton.run(workflow);
      expect(run.status, run.error?.message).toBe('completed');
      expect(run.output).toEqual({ result: { resumedFrom: { rowsDone: 500 } } });
      expect(seen).toEqual([undefined, { rowsDone: 500 }]);
    } finally {
      await baton.close();
    }
  });

  it('gives the attempt recovered after a restart the last checkpoint committed before it', async () => {
    const dataDir = freshDir();
    let saved: () => void = () => undefined;
    const checkpointSaved = new Promise<void>((resolve) => (saved = resolve));
    const first = await createBaton({
      dataDir,
      agents: [
        crunch((_input, ctx) => {
          ctx.saveCheckpoint({ rowsDone: 100 });
          ctx.saveCheckpoint({ rowsDone: 200 });
          saved();
          // The process goes away before the task ends.
          return new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))),
          );
        }),
      ],
    });
    const run = await first.startRun(workflow);
    await checkpointSaved;
    // Wait until the checkpoint is on the task row, as a crash right now would find it.
    await expect
      .poll(async () => (await first.getRun(run.id))?.tasks[0]?.checkpoint, { timeout: 2_000 })
      .toEqual({ rowsDone: 200 });
    await first.close();

    const second = await createBaton({
      dataDir,
      agents: [crunch((_input, ctx) => ({ attempt: ctx.attempt, resumedFrom: ctx.checkpoint }))],
    });
    try {
      const done = await second.waitForRun(run.id);
      expect(done.status, done.error?.message).toBe('completed');
      expect(done.output).toEqual({ result: { attempt: 1, resumedFrom: { rowsDone: 200 } } });
    } finally {
      await second.close();
    }
  });
});
