import { afterEach, describe, expect, it } from 'vitest';
import { agent, agentDef, workflowOf } from '../execution/decide-harness.test-helper.js';
import type { Engine } from '../engine/engine.js';
import { FORKED_FROM_LABEL } from '../engine/fork.js';
import { AgentCatalog } from '../registry/agent-catalog.js';
import { memoryEngine } from './memory-engine.test-helper.js';
import { inputsOf } from './replay-recorder.test-helper.js';
import { replayRun } from './replay-run.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const pipeline = workflowOf(
  [
    agent('fetch'),
    { id: 'gate', type: 'approval', assignee: 'role:editor', message: 'Draft it?' },
    agent('draft', { inputs: { tone: '{{ input.tone }}', facts: '{{ nodes.fetch.output }}' } }),
    agent('send'),
  ],
  [
    ['fetch', 'gate'],
    ['gate', 'draft'],
    ['draft', 'send'],
  ],
);

let stop: Engine | undefined;
afterEach(async () => {
  await stop?.stop();
  stop = undefined;
});

describe('replayRun: forks', () => {
  it('replays a fork made by the engine: reused outputs and decisions, then the re-run part', async () => {
    const catalog = new AgentCatalog([agentDef('worker')]);
    const { engine, store } = await memoryEngine(catalog);
    stop = engine;
    const original = await engine.startRun(pipeline, { tone: 'plain' });
    while (!(await store.readEvents(original.id)).some((e) => e.type === 'approval.requested')) await turn();
    await engine.send(original.id, {
      type: 'approval.decide',
      taskKey: 'gate',
      decision: 'approved',
      by: 'ann',
    });
    expect(await engine.waitForRun(original.id)).toMatchObject({ status: 'completed' });

    const started = await engine.fork(original.id, { from: 'draft', input: { tone: 'warm' } });
    const fork = await engine.waitForRun(started.id);
    expect(fork).toMatchObject({ status: 'completed', labels: { [FORKED_FROM_LABEL]: original.id } });
    const events = await store.readEvents(fork.id);
    expect(events.filter((e) => e.type === 'task.progress' || e.type === 'approval.decided')).toMatchObject([
      { taskKey: 'fetch', message: `reused the output of run ${original.id}` },
      { taskKey: 'gate', by: 'ann', comment: `decided in run ${original.id}` },
    ]);
    expect(events.find((e) => e.type === 'task.succeeded' && e.taskKey === 'fetch')).toMatchObject({
      costUsd: 0,
    });

    const result = replayRun(pipeline, fork, events, { agents: catalog });
    expect(result.divergence).toBeUndefined();
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual([
      'start',
      'agent.progress fetch',
      'agent.succeeded fetch',
      'approval.decide gate',
      'agent.succeeded draft',
      'agent.succeeded send',
    ]);
    expect(result.steps.at(-1)?.context.costUsd).toBeCloseTo(0.02);
    const originalEvents = await store.readEvents(original.id);
    expect(replayRun(pipeline, original, originalEvents, {})).toMatchObject({ matches: true });
  });
});
