import { describe, expect, it } from 'vitest';
import type { QueuedTask, QueueLimits, TaskQueue } from '@baton/core';

function task(key: string, extra: Partial<QueuedTask> = {}): QueuedTask {
  return { runId: 'r1', taskKey: key, attempt: 1, runPriority: 50, rank: 0, enqueuedAt: 0, ...extra };
}

/** A handler whose tasks finish only when the test says so. */
function controlledHandler(): {
  started: string[];
  finish: (key: string) => Promise<void>;
  handler: (t: QueuedTask) => Promise<void>;
} {
  const started: string[] = [];
  const resolvers = new Map<string, () => void>();
  return {
    started,
    handler: (t) =>
      new Promise<void>((resolve) => {
        started.push(t.taskKey);
        resolvers.set(t.taskKey, resolve);
      }),
    finish: async (key) => {
      resolvers.get(key)?.();
      // Let the settle callbacks run.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

/**
 * The `TaskQueue` contract: ordering by run priority, critical-path rank and age; global, per-agent and
 * per-run limits without head-of-line blocking; hand-off in the same turn; remove; stop. Every queue adapter
 * runs it with a factory that builds a fresh queue with the given limits.
 */
export function taskQueueContract(
  name: string,
  make: (limits: QueueLimits) => TaskQueue & { readonly running?: number },
): void {
  describe(`${name} (TaskQueue contract)`, () => {
    it('hands out tasks by run priority, then critical-path rank, then age', () => {
      const queue = make({ global: 1 });
      const { started, handler } = controlledHandler();
      queue.enqueue([
        task('old-low', { rank: 1, enqueuedAt: 1 }),
        task('new-low', { rank: 1, enqueuedAt: 2 }),
        task('high-rank', { rank: 9, enqueuedAt: 3 }),
        task('urgent-run', { runPriority: 90, rank: 0, enqueuedAt: 4 }),
      ]);
      queue.consume(handler);
      expect(started).toEqual(['urgent-run']);
      expect(queue.size).toBe(3);
    });

    it('starts the next task in the same turn as a slot frees, in order', async () => {
      const queue = make({ global: 1 });
      const { started, handler, finish } = controlledHandler();
      queue.consume(handler);
      queue.enqueue([task('a', { rank: 3 }), task('b', { rank: 2 }), task('c', { rank: 1 })]);
      await finish('a');
      await finish('b');
      expect(started).toEqual(['a', 'b', 'c']);
    });

    it('keeps the global, per-agent and per-run limits', async () => {
      const queue = make({
        global: 3,
        perAgent: (id) => (id === 'slow' ? 1 : undefined),
        perRun: (run) => (run === 'r2' ? 1 : undefined),
      });
      const { started, handler, finish } = controlledHandler();
      queue.consume(handler);
      queue.enqueue([
        task('s1', { agentId: 'slow', rank: 9 }),
        task('s2', { agentId: 'slow', rank: 8 }),
        task('x1', { runId: 'r2', rank: 7 }),
        task('x2', { runId: 'r2', rank: 6 }),
        task('f1', { agentId: 'fast', rank: 5 }),
        task('f2', { agentId: 'fast', rank: 4 }),
      ]);
      // s2 waits for its agent and x2 for its run; they do not block f1 behind them.
      expect(started).toEqual(['s1', 'x1', 'f1']);
      await finish('s1');
      expect(started).toEqual(['s1', 'x1', 'f1', 's2']);
      await finish('x1');
      expect(started.at(-1)).toBe('x2');
    });

    it('drops queued tasks of a run on remove, all or by key', () => {
      const queue = make({ global: 1 });
      queue.enqueue([task('a'), task('b'), task('c', { runId: 'r2' })]);
      queue.remove('r1', ['b']);
      expect(queue.size).toBe(2);
      queue.remove('r1');
      expect(queue.size).toBe(1);
    });

    it('frees the slot of a handler that throws or rejects', async () => {
      const queue = make({ global: 1 });
      const seen: string[] = [];
      queue.consume((t) => {
        seen.push(t.taskKey);
        if (t.taskKey === 'throws') throw new Error('boom');
        return Promise.reject(new Error('rejected'));
      });
      queue.enqueue([task('throws', { rank: 2 }), task('rejects', { rank: 1 })]);
      for (let i = 0; i < 10; i++) await Promise.resolve();
      expect(seen).toEqual(['throws', 'rejects']);
      expect(queue.running ?? 0).toBe(0);
    });

    it('waits for running handlers when stopped and hands out nothing after', async () => {
      const queue = make({ global: 2 });
      const { started, handler, finish } = controlledHandler();
      const stop = queue.consume(handler);
      queue.enqueue([task('a')]);
      let stopped = false;
      const stopping = stop().then(() => (stopped = true));
      queue.enqueue([task('b')]);
      await Promise.resolve();
      expect(stopped).toBe(false);
      await finish('a');
      await stopping;
      expect(started).toEqual(['a']);
    });
  });
}
