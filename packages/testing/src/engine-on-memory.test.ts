import { describe, expect, it } from 'vitest';
import {
  AgentCatalog,
  AgentError,
  Engine,
  parseAgentDefinition,
  parseWorkflow,
  type RunEvent,
} from '@baton/core';
import { ManualClock } from './manual-clock.js';
import { MemoryStore } from './memory-store.js';
import { ScriptedAgentRuntime } from './scripted-agent-runtime.js';
import { SequentialIdSource } from './sequential-id-source.js';

/** Lets the engine's group commit (one per event-loop turn) and the commands after it run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function agent(id: string, maxConcurrency = 10) {
  return parseAgentDefinition({
    id,
    name: id,
    version: '1.0.0',
    kind: 'builtin',
    capabilities: { domain: 'operations', skills: ['test'] },
    performance: {
      avgLatency: 100,
      successRate: 99,
      throughput: 100,
      costPerExecution: 0.01,
      reliability: 99,
    },
    config: { maxConcurrency, timeout: 5_000, retryPolicy: { maxRetries: 2, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  });
}

async function setUp() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore();
  const runtime = new ScriptedAgentRuntime(clock);
  const catalog = new AgentCatalog([agent('t.work'), agent('t.one', 1)]);
  const engine = new Engine({
    store,
    clock,
    ids: new SequentialIdSource({ width: 4 }),
    catalog,
    runtimes: [runtime],
  });
  await engine.start();
  const events: RunEvent[] = [];
  engine.bus.subscribe('*', (e) => events.push(e));
  return { clock, store, runtime, catalog, engine, events };
}

describe('the engine on the memory store with a manual clock', () => {
  it('retries with exponential back-off on the clock, then completes', async () => {
    const { clock, runtime, engine, events, catalog } = await setUp();
    runtime.script('t.work', [
      { error: new AgentError('flaky') },
      { error: new AgentError('flaky') },
      { output: { ok: 1 } },
    ]);
    const workflow = parseWorkflow(
      {
        id: 'retry',
        name: 'Retry',
        version: '1.0.0',
        nodes: [
          {
            id: 'w',
            type: 'agent',
            agent: { id: 't.work' },
            retry: { maxRetries: 2, backoff: 'exponential', initialDelayMs: 1_000, jitter: 0 },
          },
        ],
      },
      { agents: catalog },
    );
    const run = await engine.startRun(workflow);
    const done = engine.waitForRun(run.id);
    await turn();
    await turn();
    expect(runtime.callsOf('t.work')).toHaveLength(1);
    clock.advance(999);
    await turn();
    expect(runtime.callsOf('t.work')).toHaveLength(1);
    clock.advance(1);
    await turn();
    await turn();
    expect(runtime.callsOf('t.work')).toHaveLength(2);
    clock.advance(2_000);
    await turn();
    await turn();
    expect((await done).status).toBe('completed');
    expect(runtime.callsOf('t.work').map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'task.retrying').map((e) => 'delayMs' in e && e.delayMs)).toEqual([
      1_000, 2_000,
    ]);
    await engine.stop();
  });

  it('times out a hanging agent through its signal at the deadline on the clock', async () => {
    const { clock, runtime, engine, catalog } = await setUp();
    runtime.script('t.work', [{ hang: true }]);
    const workflow = parseWorkflow(
      {
        id: 'hang',
        name: 'Hang',
        version: '1.0.0',
        nodes: [
          { id: 'h', type: 'agent', agent: { id: 't.work' }, timeoutMs: 250, retry: { maxRetries: 0 } },
        ],
      },
      { agents: catalog },
    );
    const run = await engine.startRun(workflow);
    const done = engine.waitForRun(run.id);
    await turn();
    await turn();
    clock.advance(250);
    await turn();
    await turn();
    const finished = await done;
    expect(finished.status).toBe('failed');
    expect(finished.error?.code).toBe('TIMEOUT');
    expect(runtime.calls[0]?.signal.aborted).toBe(true);
    await engine.stop();
  });

  it("never runs more of an agent's tasks at once than its maxConcurrency", async () => {
    const { clock, runtime, engine, catalog } = await setUp();
    let running = 0;
    let peak = 0;
    runtime.script('t.one', () => {
      running++;
      peak = Math.max(peak, running);
      return { delayMs: 10, then: { output: {} } };
    });
    const workflow = parseWorkflow(
      {
        id: 'fan',
        name: 'Fan',
        version: '1.0.0',
        nodes: ['a', 'b', 'c'].map((id) => ({ id, type: 'agent', agent: { id: 't.one' } })),
      },
      { agents: catalog },
    );
    const run = await engine.startRun(workflow);
    const done = engine.waitForRun(run.id);
    for (let i = 0; i < 3; i++) {
      await turn();
      await turn();
      running = 0;
      clock.advance(10);
    }
    await turn();
    await turn();
    expect((await done).status).toBe('completed');
    expect(peak).toBe(1);
    expect(runtime.callsOf('t.one')).toHaveLength(3);
    await engine.stop();
  });

  it('keeps a run that waits only for a person out of memory, and brings it back on the decision', async () => {
    const { engine, events, catalog } = await setUp();
    const workflow = parseWorkflow(
      {
        id: 'park',
        name: 'Park',
        version: '1.0.0',
        nodes: [
          { id: 'ask', type: 'approval', assignee: 'role:ops', message: 'Go?' },
          { id: 'after', type: 'transform', set: { went: 'true' } },
        ],
        edges: [{ from: 'ask', to: 'after', port: 'approved' }],
        outputs: { went: { value: 'nodes.after.output.went' } },
      },
      { agents: catalog },
    );
    const runs = await Promise.all([1, 2, 3].map(() => engine.startRun(workflow)));
    for (let i = 0; i < 4; i++) await turn();
    expect(events.filter((e) => e.type === 'approval.requested')).toHaveLength(3);
    expect(engine.activeRuns).toBe(0);
    const first = runs[0]?.id ?? '';
    const done = engine.waitForRun(first);
    await engine.send(first, { type: 'approval.decide', taskKey: 'ask', decision: 'approved', by: 'ann' });
    for (let i = 0; i < 3; i++) await turn();
    const finished = await done;
    expect(finished.status).toBe('completed');
    expect(finished.output).toEqual({ went: true });
    expect(engine.activeRuns).toBe(0);
    await engine.stop();
  });
});
