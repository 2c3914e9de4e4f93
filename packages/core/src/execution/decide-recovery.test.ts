import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../model/agent-schema.js';
import { agent, agentDef, dispatched, RunHarness, workflowOf } from './decide-harness.test-helper.js';

const unavailable = { code: 'AGENT_UNAVAILABLE', message: 'down', retryable: true } as const;
const worker = agentDef('worker');
const backup = agentDef('backup');
const spare = agentDef('spare');

/** A harness whose node `a` falls back from `worker` to `backup`, then `spare`. */
function withFallbacks(options: { open?: Set<string>; escalation?: boolean; optional?: boolean } = {}) {
  const open = options.open ?? new Set<string>();
  const extra: Record<string, unknown> = {
    fallbacks: [{ id: 'backup' }, { id: 'spare' }],
    retry: { maxRetries: 0 },
  };
  if (options.optional) extra.optional = true;
  return new RunHarness(
    workflowOf(
      [agent('a', extra), agent('b')],
      [['a', 'b']],
      options.escalation ? { policies: { escalation: { assignee: 'ops-lead' } } } : {},
    ),
    {
      agents: [worker, backup, spare],
      alternatives: (node) =>
        (node.fallbacks ?? []).map((ref) => [backup, spare].find((a) => a.id === ref.id) as AgentDefinition),
      admits: (agentRef) => !open.has(agentRef),
    },
  );
}

describe('decide: error recovery', () => {
  it('hands an unavailable agent task to the next fallback agent as a new attempt, logging why', () => {
    const h = withFallbacks();
    h.start();
    h.fail('a', unavailable);
    expect(h.task('a')).toMatchObject({ status: 'running', attempt: 2, agent: 'backup@1.0.0' });
    expect(h.events.find((e) => e.type === 'task.recovery')).toMatchObject({
      action: 'fallback',
      from: 'worker@1.0.0',
      to: 'backup@1.0.0',
      reason: 'AGENT_UNAVAILABLE: down',
    });
    expect(dispatched(h.last)).toEqual(['a']);
    h.fail('a', unavailable);
    expect(h.task('a')).toMatchObject({ attempt: 3, agent: 'spare@1.0.0' });
    h.succeed('a');
    h.succeed('b');
    expect(h.run.status).toBe('completed');
  });

  it('passes over an agent whose circuit breaker is open, before dispatching it', () => {
    const h = withFallbacks({ open: new Set(['worker@1.0.0']) });
    h.start();
    expect(h.task('a')).toMatchObject({ status: 'running', attempt: 1, agent: 'backup@1.0.0' });
    expect(h.events.find((e) => e.type === 'task.recovery')).toMatchObject({
      action: 'fallback',
      reason: 'circuit breaker of worker@1.0.0 is open',
    });
    // A recovered attempt keeps its agent: same idempotency key, same agent.
    h.restart();
    h.send({ type: 'recover' });
    expect(h.task('a')).toMatchObject({ attempt: 1, agent: 'backup@1.0.0' });
  });

  it('waits, without failing, until a breaker lets probes through when every one is open', () => {
    const open = new Set(['worker@1.0.0', 'backup@1.0.0', 'spare@1.0.0']);
    const h = withFallbacks({ open });
    h.start();
    expect(h.task('a')).toMatchObject({
      status: 'waiting',
      error: { code: 'CIRCUIT_OPEN', retryable: true },
    });
    expect(h.events.find((e) => e.type === 'task.recovery')).toMatchObject({ action: 'wait' });
    expect(h.run.status).toBe('waiting');
    open.delete('backup@1.0.0');
    h.fireTimer('a');
    expect(h.task('a')).toMatchObject({ status: 'running', agent: 'backup@1.0.0' });
  });

  it('does not fall back on an error that is the input’s fault', () => {
    const h = withFallbacks();
    h.start();
    h.fail('a', { code: 'INVALID_INPUT', retryable: false });
    expect(h.run.status).toBe('failed');
  });

  it('skips an optional task with a null output once its alternatives are spent', () => {
    const h = withFallbacks({ optional: true });
    h.start();
    h.fail('a', unavailable);
    h.fail('a', unavailable);
    h.fail('a', unavailable);
    expect(h.task('a')).toMatchObject({ status: 'failed', output: null });
    expect(h.events.filter((e) => e.type === 'task.recovery').map((e) => e.action)).toEqual([
      'fallback',
      'fallback',
      'skip',
    ]);
    expect(h.status('b')).toBe('running');
  });

  it('escalates to a person who retries, skips with an output, or aborts', () => {
    const h = withFallbacks({ escalation: true });
    h.start();
    for (let i = 0; i < 3; i++) h.fail('a', unavailable);
    expect(h.task('a')).toMatchObject({ status: 'waiting', error: unavailable });
    expect(h.run.status).toBe('waiting');
    const asked = h.events.find((e) => e.type === 'approval.requested');
    expect(asked).toMatchObject({ assignee: 'ops-lead', options: ['retry', 'skip', 'abort'] });

    // The escalation survives a restart: still waiting for a person, not a back-off.
    h.restart();
    h.send({ type: 'recover' });
    expect(dispatched(h.last)).toEqual([]);

    h.send({ type: 'approval.decide', taskKey: 'a', decision: 'retry', by: 'ana' });
    expect(h.task('a')).toMatchObject({ status: 'running', attempt: 4, agent: 'spare@1.0.0' });
    h.fail('a', unavailable);
    h.send({ type: 'task.skip', taskKey: 'a', output: { manual: true }, by: 'ana', reason: 'typed it in' });
    expect(h.task('a')).toMatchObject({ status: 'succeeded', output: { manual: true } });
    expect(h.events.filter((e) => e.type === 'operator.acted').at(-1)).toMatchObject({
      command: 'task.skip',
      by: 'ana',
      reason: 'typed it in',
    });
    h.fail('b', { code: 'BAD', retryable: false });
    h.send({ type: 'approval.decide', taskKey: 'b', decision: 'abort', by: 'ana' });
    expect(h.run.status).toBe('failed');
    expect(h.run.error).toMatchObject({ code: 'BAD' });
  });

  it('hands an agent’s request for input to a person, and the answer to the next attempt', () => {
    // An onError route and retries would take a failure; a request for input is not one.
    const h = new RunHarness(
      workflowOf([agent('a', { onError: 'continue', retry: { maxRetries: 3 } }), agent('b')], [['a', 'b']]),
    );
    h.start();
    const asking = {
      code: 'INPUT_REQUIRED',
      message: 'which year?',
      retryable: false,
      details: { taskId: 'remote-1' },
    };
    h.fail('a', asking);
    expect(h.task('a')).toMatchObject({ status: 'waiting', error: asking });
    expect(h.run.status).toBe('waiting');
    expect(h.events.find((e) => e.type === 'task.recovery')).toMatchObject({ action: 'ask' });
    expect(h.events.find((e) => e.type === 'approval.requested')).toMatchObject({
      kind: 'input',
      options: ['reply', 'skip', 'abort'],
      message: 'worker@1.0.0 asks: which year?',
    });
    // Still asking after a restart; a decision of a failure's kind, or a reply without an answer, changes nothing.
    h.restart();
    h.send({ type: 'recover' });
    expect(dispatched(h.last)).toEqual([]);
    h.send({ type: 'approval.decide', taskKey: 'a', decision: 'retry', by: 'ana' });
    h.send({ type: 'approval.decide', taskKey: 'a', decision: 'reply', by: 'ana' });
    expect(h.task('a')).toMatchObject({ status: 'waiting', attempt: 1 });

    h.send({ type: 'approval.decide', taskKey: 'a', decision: 'reply', by: 'ana', reply: '2024' });
    expect(h.events.find((e) => e.type === 'approval.decided')).toMatchObject({
      decision: 'reply',
      reply: '2024',
    });
    const answer = {
      kind: 'baton.input-reply',
      question: 'which year?',
      request: { taskId: 'remote-1' },
      reply: '2024',
      by: 'ana',
    };
    expect(h.task('a')).toMatchObject({ status: 'running', attempt: 2, checkpoint: answer });
    const dispatch = h.last?.commands.find((c) => c.type === 'dispatch');
    expect(dispatch).toMatchObject({ checkpoint: answer });
    // Asked again, then skipped with an output.
    h.fail('a', asking);
    h.send({ type: 'approval.decide', taskKey: 'a', decision: 'skip', by: 'ana' });
    expect(h.task('a')).toMatchObject({ status: 'succeeded', output: null });
    h.succeed('b');
    expect(h.run.status).toBe('completed');
  });
});

describe('decide: operator controls', () => {
  const vars = { variables: { limit: { schema: { type: 'number' }, default: 1 } } };

  it('edits variables and a ready task’s inputs while paused, then resumes with them', () => {
    const h = new RunHarness(
      workflowOf(
        [agent('a'), agent('b', { inputs: { n: '{{ vars.limit }}', keep: 'x' } })],
        [['a', 'b']],
        vars,
      ),
    );
    h.start();
    h.send({ type: 'pause', by: 'ana' });
    h.succeed('a');
    expect(h.status('b')).toBe('ready');
    // Refused while running, accepted while paused.
    h.send({ type: 'vars.set', vars: { limit: 5 }, by: 'ana', reason: 'bigger batch' });
    h.send({ type: 'task.edit-input', taskKey: 'b', input: { keep: 'y' }, by: 'ana' });
    expect(h.run.vars).toEqual({ limit: 5 });
    h.send({ type: 'resume', by: 'ana' });
    expect(h.task('b')).toMatchObject({ status: 'running', input: { n: 5, keep: 'y' } });
    const audit = h.events.filter((e) => e.type === 'operator.acted');
    expect(audit.map((e) => e.command)).toEqual(['pause', 'vars.set', 'task.edit-input', 'resume']);
    expect(audit[1]).toMatchObject({ by: 'ana', reason: 'bigger batch', details: { vars: { limit: 5 } } });
  });

  it('ignores controls the run’s state refuses, changing nothing', () => {
    const h = new RunHarness(workflowOf([agent('a')], [], vars));
    h.start();
    for (const input of [
      { type: 'vars.set', vars: { limit: 2 } },
      { type: 'resume' },
      { type: 'task.retry', taskKey: 'a' },
      { type: 'task.edit-input', taskKey: 'a', input: {} },
      { type: 'task.skip', taskKey: 'nope' },
      { type: 'step' },
    ] as const) {
      const decision = h.send(input);
      expect(decision.delta.events).toEqual([]);
    }
  });

  it('skips a running task with the operator’s output and aborts its agent', () => {
    const h = new RunHarness(workflowOf([agent('a'), agent('b')], [['a', 'b']]));
    h.start();
    const skipped = h.send({ type: 'task.skip', taskKey: 'a', output: { v: 1 } });
    expect(skipped.commands).toContainEqual({
      type: 'cancelTask',
      taskKey: 'a',
      reason: 'skipped by an operator',
    });
    expect(h.task('a')).toMatchObject({ status: 'succeeded', output: { v: 1 } });
    expect(h.status('b')).toBe('running');
    // The agent's late result for the skipped attempt changes nothing.
    expect(h.succeed('a').delta.events).toEqual([]);
  });

  it('holds every agent task in step-through mode until `step`', () => {
    const h = new RunHarness(
      workflowOf(
        [agent('a'), agent('b'), agent('c')],
        [
          ['a', 'c'],
          ['b', 'c'],
        ],
      ),
      {
        labels: { 'baton.step-through': 'on' },
      },
    );
    h.start();
    expect(dispatched(h.last)).toEqual([]);
    expect(h.eventTypes()).toContain('task.held:a');
    h.send({ type: 'task.edit-input', taskKey: 'b', input: { x: 1 } });
    h.send({ type: 'step', by: 'ana' });
    expect(dispatched(h.last)).toEqual(['a']);
    h.send({ type: 'step' });
    expect(dispatched(h.last)).toEqual(['b']);
    expect(h.task('b').input).toEqual({ x: 1 });
    h.succeed('a');
    h.succeed('b');
    expect(dispatched(h.last)).toEqual([]);
    h.send({ type: 'step' });
    h.succeed('c');
    expect(h.run.status).toBe('completed');
  });
});

describe('decide: rollback', () => {
  const undo = (id: string) => ({
    compensation: { type: 'agent', agent: { id: 'worker' }, inputs: { undo: id, was: '{{ output.v }}' } },
  });

  function saga(onFailure: 'rollback' | 'fail' = 'rollback') {
    return new RunHarness(
      workflowOf(
        [
          agent('reserve', undo('reserve')),
          agent('charge', undo('charge')),
          {
            id: 'note',
            type: 'transform',
            set: { v: '1' },
            compensation: { type: 'transform', set: { counter: '0' } },
          },
          agent('ship', undo('ship')),
        ],
        [
          ['reserve', 'charge'],
          ['charge', 'note'],
          ['note', 'ship'],
        ],
        { policies: { onFailure }, variables: { counter: { schema: { type: 'number' }, default: 7 } } },
      ),
    );
  }

  it('runs compensations of completed steps in reverse completion order on failure, then ends rolled_back', () => {
    const h = saga();
    h.start();
    h.succeed('reserve', { v: 'R' });
    h.advance(10).succeed('charge', { v: 'C' });
    h.advance(10).fail('ship', { code: 'NO_STOCK', retryable: false });
    expect(h.run.status).toBe('rolling_back');
    expect(h.run.error).toMatchObject({ code: 'NO_STOCK' });
    const started = h.events.find((e) => e.type === 'rollback.started');
    expect(started).toMatchObject({ compensations: ['note', 'charge', 'reserve'] });
    // The transform compensation ran at once and reset the variable; charge's agent compensation is dispatched.
    expect(h.run.vars).toEqual({ counter: 0 });
    expect(h.task('charge~undo')).toMatchObject({ status: 'running', input: { undo: 'charge', was: 'C' } });
    expect(dispatched(h.last)).toEqual(['charge~undo']);
    h.advance(5).succeed('charge~undo');
    expect(dispatched(h.last)).toEqual(['reserve~undo']);
    h.advance(5).succeed('reserve~undo', { ok: true }, 0.25);
    expect(h.run.status).toBe('rolled_back');
    expect(h.run.costUsd).toBe(0.25);
    expect(h.events.at(-1)).toMatchObject({
      type: 'run.rolled_back',
      compensated: ['note', 'charge', 'reserve'],
    });
  });

  it('goes on after a restart mid-rollback, re-dispatching the compensation in flight with the same attempt', () => {
    const h = saga();
    h.start();
    h.succeed('reserve', { v: 'R' });
    h.advance(10).succeed('charge', { v: 'C' });
    h.advance(10).fail('ship', { code: 'NO_STOCK', retryable: false });
    h.restart();
    const recovered = h.send({ type: 'recover' });
    expect(dispatched(recovered)).toEqual(['charge~undo']);
    expect(h.task('charge~undo').attempt).toBe(1);
    h.succeed('charge~undo');
    h.restart();
    h.send({ type: 'recover' });
    h.succeed('reserve~undo');
    expect(h.run.status).toBe('rolled_back');
  });

  it('ends rollback_failed with what was and was not compensated when a compensation fails', () => {
    const h = saga();
    h.start();
    h.succeed('reserve', { v: 'R' });
    h.advance(10).succeed('charge', { v: 'C' });
    h.advance(10).fail('ship', { code: 'NO_STOCK', retryable: false });
    h.fail('charge~undo', { code: 'REFUND_REFUSED', message: 'card closed', retryable: false });
    expect(h.run.status).toBe('rollback_failed');
    expect(h.run.error).toMatchObject({
      code: 'ROLLBACK_FAILED',
      details: {
        taskKey: 'charge',
        compensated: ['note'],
        notCompensated: ['charge', 'reserve'],
        cause: { code: 'NO_STOCK' },
      },
    });
  });

  it('rolls back on an operator’s request even under onFailure "fail"', () => {
    const h = saga('fail');
    h.start();
    h.succeed('reserve', { v: 'R' });
    h.send({ type: 'rollback', by: 'ana', reason: 'customer cancelled' });
    expect(h.status('charge')).toBe('cancelled');
    expect(h.events.find((e) => e.type === 'rollback.started')).toMatchObject({
      reason: 'customer cancelled',
      by: 'ana',
      compensations: ['reserve'],
    });
    h.succeed('reserve~undo');
    expect(h.run.status).toBe('rolled_back');
  });
});

describe('decide: run duration limit', () => {
  const limited = (onExceeded: 'fail' | 'pause') =>
    new RunHarness(
      workflowOf([agent('a'), agent('b')], [['a', 'b']], {
        policies: { budget: { maxDurationMs: 1_000, onExceeded } },
      }),
    );

  it('arms a timer at start and fails a run still going when it fires, with BUDGET_EXCEEDED', () => {
    const h = limited('fail');
    const started = h.start();
    expect(started.commands).toContainEqual({ type: 'setTimer', taskKey: '~deadline', at: h.now + 1_000 });
    h.advance(1_000).send({ type: 'timer.fired', taskKey: '~deadline' });
    expect(h.run.status).toBe('failed');
    expect(h.run.error).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { limit: 'maxDurationMs', value: 1_000, max: 1_000 },
    });
  });

  it('pauses once under onExceeded "pause", and a restart after the resume does not pause it again', () => {
    const h = limited('pause');
    h.start();
    h.advance(1_500).send({ type: 'timer.fired', taskKey: '~deadline' });
    expect(h.run.status).toBe('paused');
    h.send({ type: 'resume', by: 'ana' });
    h.restart();
    const recovered = h.send({ type: 'recover' });
    expect(recovered.commands.filter((c) => c.type === 'setTimer')).toEqual([]);
    h.succeed('a');
    h.succeed('b');
    expect(h.run.status).toBe('completed');
  });
});
