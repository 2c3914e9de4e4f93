import { describe, expect, it } from 'vitest';
import { AgentCatalog, parseWorkflow, type AgentInvocation, type AgentRuntime } from '@baton/core';
import { remoteTestAgent, settle, startRemoteEngine } from './remote-engine-harness.js';

const definition = remoteTestAgent('t.add', 'Add', 'add', 0);

/** Adds one to `value`; records who ran which idempotency key. `hold` keeps calls of a worker hanging. */
class AddRuntime implements AgentRuntime {
  readonly kind = 'builtin';
  readonly calls: { worker: string; key: string }[] = [];
  hold = false;
  constructor(private readonly worker: string) {}
  supports(): boolean {
    return true;
  }
  async invoke(call: AgentInvocation): Promise<{ output: unknown }> {
    this.calls.push({ worker: this.worker, key: call.idempotencyKey });
    if (this.hold) {
      await new Promise((_, reject) =>
        call.signal.addEventListener('abort', () =>
          reject(new Error('aborted', { cause: call.signal.reason })),
        ),
      );
    }
    return { output: { value: Number(call.input['value']) + 1 } };
  }
}

const catalog = new AgentCatalog([definition]);
const workflow = parseWorkflow(
  {
    id: 'remote',
    name: 'Remote',
    version: '1.0.0',
    nodes: [
      { id: 'first', type: 'agent', agent: { id: 't.add' }, inputs: { value: '{{ input.n }}' } },
      ...['a', 'b', 'c', 'd'].map((id) => ({
        id,
        type: 'agent',
        agent: { id: 't.add' },
        inputs: { value: '{{ nodes.first.output.value }}' },
      })),
      {
        id: 'join',
        type: 'agent',
        agent: { id: 't.add' },
        inputs: {
          value:
            '{{ nodes.a.output.value + nodes.b.output.value + nodes.c.output.value + nodes.d.output.value }}',
        },
      },
    ],
    edges: [
      ...['a', 'b', 'c', 'd'].flatMap((id) => [
        { from: 'first', to: id },
        { from: id, to: 'join' },
      ]),
    ],
    outputs: { value: { value: 'nodes.join.output.value' } },
  },
  { agents: catalog },
);

async function setUp() {
  const runtimes = [new AddRuntime('w1'), new AddRuntime('w2')];
  const { clock, store, queue, engine, workers } = await startRemoteEngine(catalog, runtimes, {
    concurrency: 2,
  });
  for (const worker of workers) worker.start();
  return { clock, store, queue, engine, workers, runtimes };
}

describe('distributed execution on the memory adapters', () => {
  it('runs every agent task on the workers exactly once and completes the run', async () => {
    const { engine, runtimes, store } = await setUp();
    const run = await engine.startRun(workflow, { n: 1 });
    await settle();
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ value: 4 * 3 + 1 });
    const calls = runtimes.flatMap((r) => r.calls);
    expect(calls).toHaveLength(6);
    expect(new Set(calls.map((c) => c.key)).size).toBe(6);
    expect(new Set(calls.map((c) => c.worker))).toEqual(new Set(['w1', 'w2']));
    expect(await store.pendingWork(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('lets another worker finish a task whose worker died, with the same attempt', async () => {
    const { engine, runtimes, workers, clock } = await setUp();
    runtimes[0]!.hold = true;
    await workers[1]!.stop();
    const run = await engine.startRun(workflow, { n: 1 });
    await settle();
    expect(runtimes[0]!.calls).toHaveLength(1);
    // Worker 1 dies without a word: its claim stays until the lease runs out.
    await workers[0]!.stop({ cancelRunning: true });
    workers[1]!.start();
    await settle();
    expect(runtimes[1]!.calls).toHaveLength(0);
    clock.advance(31_000);
    await settle();
    clock.advance(2_000);
    await settle(50);
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(runtimes[1]!.calls[0]?.key).toBe(runtimes[0]!.calls[0]?.key);
  });

  it('signals work again when the queue lost it', async () => {
    const { engine, runtimes, workers, queue, clock } = await setUp();
    for (const worker of workers) await worker.stop();
    const run = await engine.startRun(workflow, { n: 1 });
    await settle();
    expect(await queue.depth()).toBe(1);
    queue.lose();
    for (const worker of workers) worker.start();
    await settle();
    expect(runtimes.flatMap((r) => r.calls)).toHaveLength(0);
    // The reconciler looks every 2 s and signals work queued more than 5 s ago.
    for (let i = 0; i < 4; i++) {
      clock.advance(2_000);
      await settle();
    }
    await settle(50);
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(runtimes.flatMap((r) => r.calls)).toHaveLength(6);
  });

  it('aborts the agent of a cancelled run when its worker next renews the claim', async () => {
    const { engine, runtimes, clock } = await setUp();
    for (const runtime of runtimes) runtime.hold = true;
    const run = await engine.startRun(workflow, { n: 1 });
    await settle();
    await engine.send(run.id, { type: 'cancel', reason: 'not needed' });
    expect((await engine.waitForRun(run.id)).status).toBe('cancelled');
    clock.advance(10_001);
    await settle();
    // The hanging call was aborted and its worker is free: a new run's first task starts at once.
    for (const runtime of runtimes) runtime.hold = false;
    const next = await engine.startRun(workflow, { n: 2 });
    await settle(50);
    expect((await engine.waitForRun(next.id)).status).toBe('completed');
  });
});
