import { describe, expect, it } from 'vitest';
import { agent, agentDef, transform, workflowOf } from '../execution/decide-harness.test-helper.js';
import type { RunEvent } from '../execution/run-event.js';
import { AgentCatalog } from '../registry/agent-catalog.js';
import { inputsOf, recorder, replayOf } from './replay-recorder.test-helper.js';
import { replayRun } from './replay-run.js';

const chain = workflowOf(
  [
    agent('extract', { inputs: { text: '{{ input.text }}' } }),
    agent('summarize', { inputs: { facts: '{{ nodes.extract.output.facts }}' } }),
    transform('report', { words: 'nodes.summarize.output.summary.length' }),
  ],
  [
    ['extract', 'summarize'],
    ['summarize', 'report'],
  ],
  { outputs: { words: { value: 'nodes.report.output.words' } } },
);

function recordChain() {
  const h = recorder(chain, { input: { text: 'hello' } });
  h.start();
  h.advance(40).succeed('extract', { facts: ['a', 'b'] }, 0.25);
  h.advance(60).succeed('summarize', { summary: 'abc' }, 0.5);
  return h;
}

describe('replayRun', () => {
  it('replays a chain step by step, with the context each step leaves', () => {
    const h = recordChain();
    const result = replayOf(h);
    expect(result).toMatchObject({ matches: true });
    expect(result.divergence).toBeUndefined();
    expect(inputsOf(result)).toEqual(['start', 'agent.succeeded extract', 'agent.succeeded summarize']);
    expect(result.steps.flatMap((s) => s.events)).toEqual(h.events.slice(1));
    const [start, first, last] = result.steps;
    expect(start?.context).toMatchObject({ status: 'running', nodes: {}, input: { text: 'hello' } });
    expect(first).toMatchObject({
      index: 1,
      at: h.events.find((e) => e.type === 'task.succeeded')?.at,
      input: { type: 'agent.succeeded', attempt: 1, output: { facts: ['a', 'b'] }, costUsd: 0.25 },
      context: { costUsd: 0.25, nodes: { extract: { output: { facts: ['a', 'b'] }, status: 'succeeded' } } },
    });
    expect(first?.context.nodes['summarize']).toBeUndefined();
    expect(last?.context).toMatchObject({
      status: 'completed',
      costUsd: 0.75,
      nodes: { summarize: { output: { summary: 'abc' } }, report: { output: { words: 3 } } },
    });
  });

  it('reproduces a parallel fan-out whose results arrive out of order in one millisecond', () => {
    const wf = workflowOf(
      [
        {
          id: 'fan',
          type: 'parallel',
          branches: [
            { nodes: [agent('a')] },
            { nodes: [agent('b')] },
            { nodes: [transform('c', { v: '3' })] },
          ],
        },
        transform('join', { all: 'nodes.fan.output' }),
      ],
      [['fan', 'join']],
    );
    const h = recorder(wf);
    h.start();
    h.succeed('b', 'B');
    h.succeed('a', 'A');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual(['start', 'agent.succeeded b', 'agent.succeeded a']);
    expect(result.steps.at(-1)?.context.nodes['join']?.output).toEqual({ all: ['A', 'B', { v: 3 }] });
  });

  it('reproduces the branch a conditional took and the dead path it skipped', () => {
    const wf = workflowOf(
      [
        agent('score'),
        { id: 'big', type: 'conditional', condition: 'nodes.score.output.value > 10' },
        transform('yes', { v: '"big"' }),
        transform('no', { v: '"small"' }),
      ],
      [
        ['score', 'big'],
        ['big', 'yes', 'true'],
        ['big', 'no', 'false'],
      ],
    );
    const h = recorder(wf);
    h.start();
    h.advance(5).succeed('score', { value: 42 });
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(result.steps.at(-1)?.context.nodes).toMatchObject({
      big: { output: { port: 'true' }, status: 'succeeded' },
      yes: { output: { v: 'big' } },
      no: { output: null, status: 'skipped' },
    });
  });

  it('reproduces a for-each loop, iteration by iteration', () => {
    const wf = workflowOf([
      {
        id: 'each',
        type: 'loop',
        forEach: 'input.items',
        concurrency: 2,
        body: { nodes: [agent('work', { inputs: { item: '{{ loop.item }}' } })], edges: [] },
      },
    ]);
    const h = recorder(wf, { input: { items: ['x', 'y', 'z'] } });
    h.start();
    h.advance(1).succeed('each[1].work', 'Y');
    h.advance(1).succeed('each[0].work', 'X');
    h.advance(1).succeed('each[2].work', 'Z');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result).slice(1)).toEqual([
      'agent.succeeded each[1].work',
      'agent.succeeded each[0].work',
      'agent.succeeded each[2].work',
    ]);
    expect(result.steps.at(-1)?.context.nodes).toMatchObject({
      each: { output: ['X', 'Y', 'Z'], status: 'succeeded' },
      work: { output: 'Z' },
    });
  });

  it('replays retries with back-off: the timer that fired is derived from the next attempt', () => {
    const wf = workflowOf(
      [agent('flaky', { retry: { maxRetries: 2, initialDelayMs: 100 } }), agent('after')],
      [['flaky', 'after']],
    );
    const h = recorder(wf);
    h.start();
    h.advance(10).fail('flaky', { code: 'RATE_LIMITED', retryable: true });
    h.fireTimer('flaky');
    h.advance(10).fail('flaky', { code: 'RATE_LIMITED', retryable: true });
    h.fireTimer('flaky');
    h.advance(10).succeed('flaky', { ok: 3 });
    h.advance(10).succeed('after');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual([
      'start',
      'agent.failed flaky',
      'timer.fired flaky',
      'agent.failed flaky',
      'timer.fired flaky',
      'agent.succeeded flaky',
      'agent.succeeded after',
    ]);
    expect(result.steps[5]?.input).toMatchObject({ attempt: 3 });
    const retry = h.events.find((e) => e.type === 'task.retrying');
    if (retry?.type !== 'task.retrying') throw new Error('no task.retrying');
    expect(result.steps[2]?.at).toBe(retry.at + retry.delayMs);
  });

  it("infers an agent's own retry policy from the log when the catalog no longer has the agent", () => {
    const worker = agentDef('worker', {
      config: { maxConcurrency: 1, timeout: 1000, retryPolicy: { maxRetries: 2, backoff: 'linear' } },
    });
    const h = recorder(workflowOf([agent('a')]), { agents: [worker] });
    h.start();
    for (let i = 0; i < 2; i++) {
      h.fail('a', { code: 'DOWN', retryable: true });
      h.fireTimer('a');
    }
    h.fail('a', { code: 'DOWN', retryable: true });
    expect(h.run.status).toBe('failed');
    expect(replayOf(h, {})).toMatchObject({ matches: true });
    expect(replayOf(h, { agents: new AgentCatalog([worker]) })).toMatchObject({ matches: true });
    // A catalog whose definition of that version says otherwise is believed, and the replay says where it parts.
    const without = replayOf(h, { agents: [agentDef('worker')] });
    expect(without.divergence).toMatchObject({
      expected: { type: 'task.retrying' },
      actual: { type: 'task.failed' },
    });
  });

  it('gives an activation the agent and selection reason the log recorded, and an unresolved one its error', () => {
    const wf = workflowOf([
      { id: 'pick', type: 'agent', select: { skills: ['summarize'] } },
      { id: 'gone', type: 'agent', agent: { id: 'missing' } },
    ]);
    const h = recorder(wf, {
      agents: [agentDef('summer', { capabilities: { domain: 'sales', skills: ['summarize'] } })],
    });
    h.start();
    expect(h.events.map((e) => e.type)).toContain('agent.selected');
    expect(replayOf(h, {})).toMatchObject({ matches: true });
  });

  it('reports a changed agent output where the log stops following from it', () => {
    const h = recordChain();
    const tampered = structuredClone(h.events);
    const extracted = tampered.find((e) => e.type === 'task.succeeded' && e.taskKey === 'extract');
    if (extracted?.type !== 'task.succeeded') throw new Error('no task.succeeded of extract');
    extracted.output = { facts: ['a', 'CHANGED'] };
    const result = replayOf(h, undefined, tampered);
    const started = h.events.find((e) => e.type === 'task.started' && e.taskKey === 'summarize') as RunEvent;
    expect(result.matches).toBe(false);
    expect(result.divergence).toMatchObject({
      seq: started.seq,
      expected: { type: 'task.started', input: { facts: ['a', 'b'] } },
      actual: { type: 'task.started', input: { facts: ['a', 'CHANGED'] } },
      step: 1,
    });
    expect(result.divergence?.message).toBe('task.started of summarize differs in input');
    expect(result.steps).toHaveLength(2);
  });

  it('reports a changed output of a step the engine computes at its own seq', () => {
    const h = recordChain();
    const tampered = structuredClone(h.events);
    const report = tampered.find((e) => e.type === 'task.succeeded' && e.taskKey === 'report');
    if (report?.type !== 'task.succeeded') throw new Error('no task.succeeded of report');
    report.output = { words: 99 };
    const result = replayOf(h, undefined, tampered);
    expect(result.divergence).toMatchObject({ seq: report.seq, actual: { output: { words: 3 } } });
  });

  it('reports a log it cannot derive an input from instead of guessing', () => {
    const h = recordChain();
    const gap = h.events.filter((e) => !(e.type === 'task.succeeded' && e.taskKey === 'extract'));
    const result = replayOf(h, undefined, gap);
    expect(result.matches).toBe(false);
    expect(result.divergence?.expected?.type).toBe('task.ready');
    expect(result.divergence?.actual).toBeUndefined();
    expect(result.divergence?.message).toMatch(
      /no input the log records explains a decision that begins with task.ready/,
    );
  });

  it('reports a log that is not of the workflow given', () => {
    const h = recordChain();
    const result = replayRun({ ...chain, version: '2.0.0' }, h.run, h.events);
    expect(result.steps).toEqual([]);
    expect(result.divergence).toMatchObject({
      seq: 1,
      message: expect.stringMatching(/not wf@2.0.0/) as unknown,
    });
  });
});
