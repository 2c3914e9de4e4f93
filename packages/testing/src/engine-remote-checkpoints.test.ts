import { describe, expect, it, vi } from 'vitest';
import {
  AgentCatalog,
  AgentError,
  parseWorkflow,
  type AgentInvocation,
  type AgentRuntime,
} from '@baton/core';
import { remoteTestAgent, settle, startRemoteEngine } from './remote-engine-harness.js';

const definition = remoteTestAgent('t.crunch', 'Crunch', 'crunch', 1);
const catalog = new AgentCatalog([definition]);
const workflow = parseWorkflow(
  {
    id: 'long-task',
    name: 'Long task',
    version: '1.0.0',
    nodes: [
      {
        id: 'crunch',
        type: 'agent',
        agent: { id: 't.crunch' },
        retry: { maxRetries: 1, backoff: 'fixed', initialDelayMs: 10, jitter: 0 },
      },
    ],
    outputs: { result: { value: 'nodes.crunch.output' } },
  },
  { agents: catalog },
);

/** Runs `t.crunch` with a function of the call; records every call. */
class CrunchRuntime implements AgentRuntime {
  readonly kind = 'builtin';
  readonly calls: AgentInvocation[] = [];
  constructor(private readonly fn: (call: AgentInvocation) => Promise<unknown>) {}
  supports(): boolean {
    return true;
  }
  async invoke(call: AgentInvocation): Promise<{ output: unknown }> {
    this.calls.push(call);
    return { output: await this.fn(call) };
  }
}

/** Never answers; rejects once the call is aborted (its worker stops). */
const hang = (call: AgentInvocation): Promise<never> =>
  new Promise((_, reject) => call.signal.addEventListener('abort', () => reject(new Error('aborted'))));

async function setUp(runtimes: readonly CrunchRuntime[]) {
  const { clock, store, engine, workers } = await startRemoteEngine(catalog, runtimes);
  return { clock, store, engine, workers };
}

describe('checkpoints of tasks run on workers', () => {
  it('gives the retry of an attempt that failed on a worker the checkpoint that attempt saved', async () => {
    const runtime = new CrunchRuntime((call) => {
      if (call.attempt === 1) {
        call.saveCheckpoint({ rowsDone: 500 });
        return Promise.reject(new AgentError('the connection dropped', { retryable: true }));
      }
      return Promise.resolve({ resumedFrom: call.checkpoint });
    });
    const { clock, store, engine, workers } = await setUp([runtime]);
    workers[0]!.start();
    const run = await engine.startRun(workflow);
    await settle();
    clock.advance(10); // The retry's backoff.
    await settle();
    const done = await engine.waitForRun(run.id);
    expect(done.status, done.error?.message).toBe('completed');
    expect(done.output).toEqual({ result: { resumedFrom: { rowsDone: 500 } } });
    expect(runtime.calls.map((c) => [c.attempt, c.checkpoint])).toEqual([
      [1, undefined],
      [2, { rowsDone: 500 }],
    ]);
    const stored = await store.loadRun(run.id);
    expect(stored?.tasks.find((t) => t.key === 'crunch')?.checkpoint).toEqual({ rowsDone: 500 });
  });

  it('hands the checkpoint of a worker that died to the worker that takes over its attempt', async () => {
    const doomed = new CrunchRuntime((call) => {
      call.saveCheckpoint({ rowsDone: 100 });
      call.saveCheckpoint({ rowsDone: 200 });
      return hang(call);
    });
    const survivor = new CrunchRuntime((call) => Promise.resolve({ resumedFrom: call.checkpoint }));
    const { clock, engine, workers } = await setUp([doomed, survivor]);
    workers[0]!.start();
    const run = await engine.startRun(workflow);
    await settle();
    expect(doomed.calls).toHaveLength(1);
    // Worker 1 dies without a word: its claim stays until the lease runs out, then the work is signalled again.
    await workers[0]!.stop({ cancelRunning: true });
    workers[1]!.start();
    clock.advance(31_000);
    await settle();
    clock.advance(2_000);
    await settle(50);
    const done = await engine.waitForRun(run.id);
    expect(done.status, done.error?.message).toBe('completed');
    expect(done.output).toEqual({ result: { resumedFrom: { rowsDone: 200 } } });
    expect(survivor.calls.map((c) => [c.idempotencyKey, c.checkpoint])).toEqual([
      [doomed.calls[0]?.idempotencyKey, { rowsDone: 200 }],
    ]);
  });

  it('keeps one checkpoint write in flight per attempt and writes the latest data next', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let saveMore: () => void = () => undefined;
    const more = new Promise<void>((resolve) => (saveMore = resolve));
    const runtime = new CrunchRuntime(async (call) => {
      call.saveCheckpoint({ step: 1 });
      await more;
      for (let step = 2; step <= 50; step++) call.saveCheckpoint({ step });
      return { steps: 50 };
    });
    const { store, engine, workers } = await setUp([runtime]);
    const save = store.saveCheckpoint.bind(store);
    const written: unknown[] = [];
    vi.spyOn(store, 'saveCheckpoint').mockImplementation(async (claim, data) => {
      written.push(data);
      if (written.length === 1) await gate; // The first write is slow: saves pile up behind it.
      return save(claim, data);
    });
    workers[0]!.start();
    const run = await engine.startRun(workflow);
    await settle();
    saveMore();
    await settle();
    expect(written).toEqual([{ step: 1 }]);
    release();
    await settle();
    const done = await engine.waitForRun(run.id);
    expect(done.status, done.error?.message).toBe('completed');
    expect(written).toEqual([{ step: 1 }, { step: 50 }]);
    const stored = await store.loadRun(run.id);
    expect(stored?.tasks.find((t) => t.key === 'crunch')?.checkpoint).toEqual({ step: 50 });
  });
});
