import { describe, expect, it } from 'vitest';
import { agent, transform, workflowOf } from '../execution/decide-harness.test-helper.js';
import { inputsOf, recorder, replayOf } from './replay-recorder.test-helper.js';

const gate = (extra: Record<string, unknown> = {}) => ({
  id: 'gate',
  type: 'approval',
  assignee: 'role:legal',
  message: 'Sign {{ input.deal }}?',
  ...extra,
});

describe('replayRun: people, timers and events', () => {
  it("replays a person's decision with who decided and why", () => {
    const wf = workflowOf(
      [gate(), transform('signed', { by: 'nodes.gate.output.by' })],
      [['gate', 'signed']],
    );
    const h = recorder(wf, { input: { deal: 'ACME' } });
    h.start();
    h.advance(3_600_000).send({
      type: 'approval.decide',
      taskKey: 'gate',
      decision: 'approved',
      by: 'ann',
      comment: 'fine',
    });
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(result.steps[1]?.input).toEqual({
      type: 'approval.decide',
      taskKey: 'gate',
      decision: 'approved',
      by: 'ann',
      comment: 'fine',
    });
    expect(result.steps[0]?.context.status).toBe('waiting');
    expect(result.steps[1]?.context.nodes).toMatchObject({
      gate: { output: { decision: 'approved', by: 'ann', auto: false, comment: 'fine' } },
      signed: { output: { by: 'ann' } },
    });
  });

  it("replays a deadline's automatic decision as the approval's timer", () => {
    const wf = workflowOf(
      [gate({ deadlineMs: 60_000, autoDecision: 'approved' }), agent('after')],
      [['gate', 'after']],
    );
    const h = recorder(wf, { input: { deal: 'x' } });
    h.start();
    h.fireTimer('gate');
    h.advance(5).succeed('after');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual(['start', 'timer.fired gate', 'agent.succeeded after']);
    expect(result.steps[1]?.context.nodes['gate']?.output).toEqual({
      decision: 'approved',
      by: 'system',
      auto: true,
    });
  });

  it('replays a rejection that fails the run', () => {
    const h = recorder(workflowOf([gate()]), { input: { deal: 'x' } });
    h.start();
    h.send({ type: 'approval.decide', taskKey: 'gate', decision: 'rejected', by: 'bob' });
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(result.steps.at(-1)?.context.status).toBe('failed');
  });

  it('replays a wait timer', () => {
    const wf = workflowOf([{ id: 'cool', type: 'wait', durationMs: 5_000 }, agent('go')], [['cool', 'go']]);
    const h = recorder(wf);
    h.start();
    h.fireTimer('cool');
    h.advance(7).succeed('go');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual(['start', 'timer.fired cool', 'agent.succeeded go']);
    expect(result.steps[1]).toMatchObject({ at: h.events[1]!.at + 5_000 });
  });

  it('replays an event from outside that wakes a wait, and the timeout of another', () => {
    const wf = workflowOf([
      { id: 'signal', type: 'wait', event: { name: 'paid', match: 'event.payload.amount > 10' } },
      { id: 'never', type: 'wait', event: { name: 'refund', timeoutMs: 1_000 }, onError: 'continue' },
    ]);
    const h = recorder(wf);
    h.start();
    h.advance(10).send({ type: 'event.publish', name: 'paid', payload: { amount: 5 } });
    h.advance(10).send({ type: 'event.publish', name: 'paid', payload: { amount: 50 } });
    h.fireTimer('never');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual(['start', 'event.publish', 'event.publish', 'timer.fired never']);
    expect(result.steps.at(-1)?.context).toMatchObject({
      status: 'completed',
      nodes: {
        signal: { output: { name: 'paid', payload: { amount: 50 } } },
        never: { status: 'failed', error: { code: 'TIMEOUT' } },
      },
    });
  });

  it('replays a subworkflow: a failed child retried, then a completed one with its cost', () => {
    const wf = workflowOf([
      {
        id: 'kid',
        type: 'subworkflow',
        workflow: { id: 'child' },
        inputs: { n: '{{ input.n }}' },
        retry: { maxRetries: 1, initialDelayMs: 100 },
      },
    ]);
    const h = recorder(wf, { input: { n: 2 } });
    h.start();
    const error = { code: 'CHILD_FAILED', message: 'child broke', retryable: true };
    h.advance(20).send({ type: 'child.failed', taskKey: 'kid', error });
    h.fireTimer('kid');
    h.advance(20).send({ type: 'child.completed', taskKey: 'kid', output: { doubled: 4 }, costUsd: 0.125 });
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual(['start', 'child.failed kid', 'timer.fired kid', 'child.completed kid']);
    expect(result.steps.at(-1)?.context).toMatchObject({
      costUsd: 0.125,
      nodes: { kid: { output: { doubled: 4 }, status: 'succeeded' } },
    });
  });

  it('replays an operator pausing and resuming, with results recorded while paused', () => {
    const wf = workflowOf([agent('a'), agent('b')], [['a', 'b']]);
    const h = recorder(wf);
    h.start();
    h.advance(1).send({ type: 'pause', by: 'op', reason: 'look' });
    h.advance(1).succeed('a', 'A');
    h.advance(1).send({ type: 'resume', by: 'op' });
    h.advance(1).succeed('b', 'B');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual(['start', 'pause', 'agent.succeeded a', 'resume', 'agent.succeeded b']);
    expect(result.steps[1]?.input).toEqual({ type: 'pause', by: 'op', reason: 'look' });
    expect(result.steps.map((s) => s.context.status)).toEqual([
      'running',
      'paused',
      'paused',
      'running',
      'completed',
    ]);
  });

  it('replays a cancellation of a running run, and progress an agent reported', () => {
    const h = recorder(workflowOf([agent('a'), agent('b')]));
    h.start();
    h.send({ type: 'agent.progress', taskKey: 'a', message: 'half way', data: { pct: 50 } });
    h.advance(1).send({ type: 'cancel', by: 'op', reason: 'enough' });
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(result.steps.map((s) => s.input)).toEqual([
      { type: 'start' },
      { type: 'agent.progress', taskKey: 'a', message: 'half way', data: { pct: 50 } },
      { type: 'cancel', by: 'op', reason: 'enough' },
    ]);
  });

  it('replays a recovery after a restart: the in-flight attempt is dispatched again', () => {
    const h = recorder(workflowOf([agent('a', { inputs: { q: '{{ input.q }}' } })]), { input: { q: 'why' } });
    h.start();
    h.restart();
    h.advance(1000).send({ type: 'recover' });
    h.advance(5).succeed('a', 'because');
    const result = replayOf(h);
    expect(result.matches).toBe(true);
    expect(inputsOf(result)).toEqual(['start', 'recover', 'agent.succeeded a']);
  });
});
