import { describe, expect, it } from 'vitest';
import { agent, agentDef, workflowOf } from '../execution/decide-harness.test-helper.js';
import type { RunEvent } from '../execution/run-event.js';
import { inputsOf, recorder, replayOf } from './replay-recorder.test-helper.js';

const worker = agentDef('worker');
const backup = agentDef('backup');
const spare = agentDef('spare');
const down = { code: 'AGENT_UNAVAILABLE', message: 'down' };

/** A node whose agent `worker` may be stood in for by `backup`, then `spare`. */
const withFallbacks = workflowOf(
  [agent('a', { fallbacks: [{ id: 'backup' }, { id: 'spare' }] }), agent('after')],
  [['a', 'after']],
);

function recoveryOf(
  events: readonly RunEvent[],
  action: string,
): Extract<RunEvent, { type: 'task.recovery' }> {
  const found = events.find((e) => e.type === 'task.recovery' && e.action === action);
  if (found?.type !== 'task.recovery') throw new Error(`no task.recovery ${action}`);
  return found;
}

describe('replayRun: error recovery', () => {
  it('replays a fallback after a failure from the error the recovery logged, on the agents the log shows', () => {
    const h = recorder(withFallbacks, {
      agents: [worker, backup, spare],
      alternatives: () => [backup, spare],
    });
    h.start();
    h.advance(5).fail('a', down);
    h.advance(5).fail('a', down);
    h.advance(5).succeed('a', { by: 'spare' });
    h.advance(5).succeed('after');
    expect(h.events.filter((e) => e.type === 'task.recovery')).toMatchObject([
      { from: 'worker@1.0.0', to: 'backup@1.0.0', error: down },
      { from: 'backup@1.0.0', to: 'spare@1.0.0', error: down },
    ]);
    for (const options of [undefined, {}]) {
      const result = replayOf(h, options);
      expect(result).toMatchObject({ matches: true });
      expect(inputsOf(result)).toEqual([
        'start',
        'agent.failed a',
        'agent.failed a',
        'agent.succeeded a',
        'agent.succeeded after',
      ]);
      expect(result.steps[1]?.input).toEqual({
        type: 'agent.failed',
        taskKey: 'a',
        attempt: 1,
        error: { ...down, retryable: false },
      });
    }
  });

  it('passes over exactly the agents whose breakers the log shows open at an activation', () => {
    const open = new Set(['worker@1.0.0']);
    const options = {
      agents: [worker, backup, spare],
      alternatives: () => [backup, spare],
      admits: (ref: string) => !open.has(ref),
    };
    const first = recorder(withFallbacks, options);
    first.start();
    const passed = recoveryOf(first.events, 'fallback');
    expect(passed).toMatchObject({ reason: 'circuit breaker of worker@1.0.0 is open', to: 'backup@1.0.0' });
    expect(passed.error).toBeUndefined();
    first.advance(5).succeed('a');
    first.advance(5).succeed('after');
    // A retry finds the breaker of its agent open; then the only alternative left is open when it fails.
    const wf = workflowOf([
      agent('a', { fallbacks: [{ id: 'backup' }, { id: 'spare' }], retry: { maxRetries: 1 } }),
    ]);
    open.clear();
    const later = recorder(wf, options);
    later.start();
    later.advance(5).fail('a', { code: 'RATE_LIMITED', retryable: true });
    open.add('worker@1.0.0');
    later.fireTimer('a');
    expect(recoveryOf(later.events, 'fallback')).toMatchObject({ from: 'worker@1.0.0', to: 'backup@1.0.0' });
    open.add('spare@1.0.0');
    later.advance(5).fail('a', down);
    expect(later.run.status).toBe('failed');
    for (const h of [first, later]) {
      expect(replayOf(h)).toMatchObject({ matches: true });
      expect(replayOf(h, {})).toMatchObject({ matches: true });
    }
  });

  it('passes over an alternative after a failure when the log skips it', () => {
    const h = recorder(withFallbacks, {
      agents: [worker, backup, spare],
      alternatives: () => [backup, spare],
      admits: (ref) => ref !== 'backup@1.0.0',
    });
    h.start();
    h.advance(5).fail('a', down);
    expect(h.events.filter((e) => e.type === 'task.recovery')).toMatchObject([
      { from: 'worker@1.0.0', to: 'spare@1.0.0', error: down },
    ]);
    h.advance(5).succeed('a');
    h.advance(5).succeed('after');
    expect(replayOf(h)).toMatchObject({ matches: true });
    expect(replayOf(h, {})).toMatchObject({ matches: true });
  });

  it('replays a wait for breakers that are all open, then the timer that wakes the task', () => {
    let closed = false;
    const h = recorder(withFallbacks, {
      agents: [worker, backup, spare],
      alternatives: () => [backup, spare],
      admits: () => closed,
    });
    h.start();
    expect(recoveryOf(h.events, 'wait')).toMatchObject({
      reason:
        'the circuit breakers of worker@1.0.0, backup@1.0.0, spare@1.0.0 are open: no agent can take the task now',
      error: { code: 'CIRCUIT_OPEN' },
    });
    closed = true;
    h.fireTimer('a');
    h.advance(5).succeed('a');
    h.advance(5).succeed('after');
    const result = replayOf(h, {});
    expect(result).toMatchObject({ matches: true });
    expect(inputsOf(result)).toEqual([
      'start',
      'timer.fired a',
      'agent.succeeded a',
      'agent.succeeded after',
    ]);
    const ready = h.events.filter((e) => e.type === 'task.ready' && e.taskKey === 'a');
    expect(result.steps[1]?.at).toBe(ready[1]?.at);
  });

  it('replays escalations a person decided: a retry, then an abort that fails the run', () => {
    const wf = workflowOf([agent('a', { onError: 'escalate' })]);
    const h = recorder(wf);
    h.start();
    h.advance(5).fail('a', { code: 'BAD_OUTPUT', message: 'no', details: { field: 'x' } });
    expect(recoveryOf(h.events, 'escalate').error).toMatchObject({ details: { field: 'x' } });
    h.advance(60_000).send({ type: 'approval.decide', taskKey: 'a', decision: 'retry', by: 'ann' });
    h.advance(5).fail('a', { code: 'BAD_OUTPUT', message: 'again' });
    h.advance(60_000).send({
      type: 'approval.decide',
      taskKey: 'a',
      decision: 'abort',
      by: 'bob',
      comment: 'give up',
    });
    expect(h.run.status).toBe('failed');
    const result = replayOf(h);
    expect(result).toMatchObject({ matches: true });
    expect(inputsOf(result)).toEqual([
      'start',
      'agent.failed a',
      'approval.decide a',
      'agent.failed a',
      'approval.decide a',
    ]);
    expect(result.steps.at(-1)?.context.status).toBe('failed');
  });

  it("replays an operator's retry and skip of escalated tasks", () => {
    const wf = workflowOf([agent('a', { onError: 'escalate' }), agent('b')], [['a', 'b']]);
    const h = recorder(wf);
    h.start();
    h.advance(5).fail('a');
    h.advance(5).send({ type: 'task.retry', taskKey: 'a', by: 'op', reason: 'flaky' });
    h.advance(5).fail('a');
    h.advance(5).send({ type: 'task.skip', taskKey: 'a', output: { canned: true } });
    h.advance(5).succeed('b');
    expect(h.run.status).toBe('completed');
    const result = replayOf(h);
    expect(result).toMatchObject({ matches: true });
    expect(inputsOf(result)).toEqual([
      'start',
      'agent.failed a',
      'task.retry a',
      'agent.failed a',
      'task.skip a',
      'agent.succeeded b',
    ]);
    expect(result.steps[4]?.context.nodes['a']).toEqual({ output: { canned: true }, status: 'succeeded' });
  });

  it('reports a changed recovery error where the log stops following from it', () => {
    const h = recorder(withFallbacks, { agents: [worker, backup], alternatives: () => [backup] });
    h.start();
    h.advance(5).fail('a', down);
    h.advance(5).succeed('a');
    const tampered = structuredClone(h.events);
    const recovery = recoveryOf(tampered, 'fallback');
    recovery.error = { code: 'BAD_INPUT', message: 'down', retryable: false };
    const result = replayOf(h, undefined, tampered);
    expect(result.matches).toBe(false);
    expect(result.divergence).toMatchObject({
      seq: recovery.seq,
      expected: { type: 'task.recovery' },
      actual: { type: 'task.failed', error: { code: 'BAD_INPUT' } },
      step: 1,
    });
    expect(result.divergence?.message).toBe(
      'the log has task.recovery of a, the replay produced task.failed of a',
    );
  });

  it('says so, rather than guessing, when a recovery logged its failure only as text', () => {
    const h = recorder(withFallbacks, { agents: [worker, backup], alternatives: () => [backup] });
    h.start();
    h.advance(5).fail('a', down);
    const legacy = structuredClone(h.events);
    const recovery = recoveryOf(legacy, 'fallback');
    delete recovery.error;
    const result = replayOf(h, undefined, legacy);
    expect(result.matches).toBe(false);
    expect(result.divergence).toMatchObject({ seq: recovery.seq, expected: { type: 'task.recovery' } });
    expect(result.divergence?.message).toMatch(/only as text \("AGENT_UNAVAILABLE: down"\)/);
  });
});
