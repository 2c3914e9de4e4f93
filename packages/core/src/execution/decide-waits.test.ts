import { describe, expect, it } from 'vitest';
import {
  agent,
  commandsOf,
  dispatched,
  RunHarness,
  transform,
  workflowOf,
} from './decide-harness.test-helper.js';

const approval = (extra: Record<string, unknown> = {}) => ({
  id: 'gate',
  type: 'approval',
  assignee: 'role:legal',
  message: 'Approve {{ input.deal }}?',
  ...extra,
});

describe('decide: approvals', () => {
  it('waits for a person, and the run waits once nothing else can progress', () => {
    const h = new RunHarness(workflowOf([approval(), agent('other')]), { input: { deal: 'ACME' } });
    const d = h.start();
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({
        type: 'approval.requested',
        taskKey: 'gate',
        assignee: 'role:legal',
        message: 'Approve ACME?',
        options: ['approved', 'rejected'],
        urgency: 'medium',
      }),
    );
    expect(h.task('gate')).toMatchObject({ status: 'waiting', input: { message: 'Approve ACME?' } });
    expect(h.run.status).toBe('running');
    const idle = h.succeed('other');
    expect(h.run.status).toBe('waiting');
    expect(idle.delta.events.at(-1)).toEqual(expect.objectContaining({ type: 'run.waiting', on: ['gate'] }));
  });

  it('follows the port of the decision; an edge without a port follows approved', () => {
    const wf = workflowOf(
      [
        approval({ options: ['approved', 'rejected', 'revise'] }),
        transform('go', { v: '1' }),
        transform('fix', { v: '2' }),
        transform('stop', { v: '3' }),
      ],
      [
        ['gate', 'go'],
        ['gate', 'fix', 'revise'],
        ['gate', 'stop', 'rejected'],
      ],
    );
    const run = (decision: string) => {
      const h = new RunHarness(wf, { input: { deal: 'x' } });
      h.start();
      const d = h.send({ type: 'approval.decide', taskKey: 'gate', decision, by: 'ann', comment: 'ok' });
      expect(d.delta.events).toContainEqual(
        expect.objectContaining({
          type: 'approval.decided',
          decision,
          by: 'ann',
          comment: 'ok',
          auto: false,
        }),
      );
      return ['go', 'fix', 'stop'].filter((k) => h.status(k) === 'succeeded');
    };
    expect([run('approved'), run('revise'), run('rejected')]).toEqual([['go'], ['fix'], ['stop']]);
  });

  it('fails the run on a rejection that no edge handles', () => {
    const h = new RunHarness(workflowOf([approval(), transform('go', { v: '1' })], [['gate', 'go']]), {
      input: { deal: 'x' },
    });
    h.start();
    h.send({
      type: 'approval.decide',
      taskKey: 'gate',
      decision: 'rejected',
      by: 'bob',
      comment: 'too risky',
    });
    expect(h.task('gate')).toMatchObject({
      status: 'failed',
      error: { code: 'APPROVAL_REJECTED', retryable: false },
    });
    expect(h.run).toMatchObject({ status: 'failed', error: { code: 'APPROVAL_REJECTED' } });
    expect(h.run.error?.message).toContain('too risky');
  });

  it('applies the auto-decision when the deadline passes, rejected by default', () => {
    const auto = new RunHarness(
      workflowOf(
        [approval({ deadlineMs: 60_000, autoDecision: 'approved' }), transform('go', { v: '1' })],
        [['gate', 'go']],
      ),
      {
        input: { deal: 'x' },
      },
    );
    const start = auto.start();
    expect(commandsOf(start, 'setTimer')).toEqual([
      { type: 'setTimer', taskKey: 'gate', at: auto.now + 60_000 },
    ]);
    expect(start.delta.events).toContainEqual(
      expect.objectContaining({ type: 'approval.requested', deadline: auto.now + 60_000 }),
    );
    const fired = auto.fireTimer('gate');
    expect(fired.delta.events).toContainEqual(
      expect.objectContaining({ type: 'approval.decided', decision: 'approved', auto: true, by: 'system' }),
    );
    expect(auto.run.status).toBe('completed');

    const rejected = new RunHarness(workflowOf([approval({ deadlineMs: 1000 })]), { input: { deal: 'x' } });
    rejected.start();
    rejected.fireTimer('gate');
    expect(rejected.run).toMatchObject({ status: 'failed', error: { code: 'APPROVAL_REJECTED' } });
  });

  it('ignores a decision that is not an option, for a task that is not waiting, and a late deadline', () => {
    const h = new RunHarness(workflowOf([approval({ deadlineMs: 1000 }), agent('a')], [['gate', 'a']]), {
      input: { deal: 'x' },
    });
    h.start();
    const empty = { runId: 'run-1', tasks: [], events: [] };
    expect(h.send({ type: 'approval.decide', taskKey: 'gate', decision: 'maybe', by: 'x' }).delta).toEqual(
      empty,
    );
    expect(h.send({ type: 'approval.decide', taskKey: 'nope', decision: 'approved', by: 'x' }).delta).toEqual(
      empty,
    );
    h.send({ type: 'approval.decide', taskKey: 'gate', decision: 'approved', by: 'x' });
    expect(h.send({ type: 'approval.decide', taskKey: 'gate', decision: 'approved', by: 'x' }).delta).toEqual(
      empty,
    );
    expect(h.send({ type: 'timer.fired', taskKey: 'gate' }, h.now + 5000).delta).toEqual(empty);
    expect(h.status('a')).toBe('running');
  });
});

describe('decide: wait nodes', () => {
  it('waits for a duration on a timer', () => {
    const h = new RunHarness(
      workflowOf([{ id: 'pause', type: 'wait', durationMs: 5000 }, agent('a')], [['pause', 'a']]),
    );
    const d = h.start();
    expect(h.task('pause')).toMatchObject({ status: 'waiting', wakeAt: h.now + 5000 });
    expect(commandsOf(d, 'setTimer')).toEqual([{ type: 'setTimer', taskKey: 'pause', at: h.now + 5000 }]);
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({ type: 'timer.started', taskKey: 'pause', wakeAt: h.now + 5000 }),
    );
    expect(h.run.status).toBe('waiting');
    expect(dispatched(h.fireTimer('pause'))).toEqual(['a']);
    expect(h.task('pause')).toMatchObject({ status: 'succeeded', output: null });
    expect(h.task('pause').wakeAt).toBeUndefined();
  });

  it('waits until a moment given as an ISO date-time or epoch milliseconds; a past moment does not wait', () => {
    const start = Date.UTC(2026, 0, 1);
    const iso = new RunHarness(workflowOf([{ id: 'w', type: 'wait', until: 'input.at' }]), {
      input: { at: '2026-01-01T00:01:00Z' },
      start,
    });
    iso.start();
    expect(iso.task('w').wakeAt).toBe(start + 60_000);
    const past = new RunHarness(workflowOf([{ id: 'w', type: 'wait', until: 'input.at' }]), {
      input: { at: start - 1 },
      start,
    });
    past.start();
    expect(past.run.status).toBe('completed');
    const bad = new RunHarness(workflowOf([{ id: 'w', type: 'wait', until: 'input.at' }]), {
      input: { at: 'soon' },
      start,
    });
    bad.start();
    expect(bad.task('w').error?.code).toBe('EXPRESSION_TYPE');
  });

  it('waits for an event published on the run whose match holds', () => {
    const h = new RunHarness(
      workflowOf(
        [
          { id: 'w', type: 'wait', event: { name: 'payment', match: 'event.payload.amount >= input.min' } },
          transform('after', { paid: 'nodes.w.output.payload.amount' }),
        ],
        [['w', 'after']],
      ),
      { input: { min: 100 } },
    );
    h.start();
    expect(h.run.status).toBe('waiting');
    const other = h.send({ type: 'event.publish', name: 'refund', payload: { amount: 500 } });
    expect(other.delta.events.map((e) => e.type)).toEqual(['event.emitted']);
    h.send({ type: 'event.publish', name: 'payment', payload: { amount: 10 } });
    expect(h.status('w')).toBe('waiting');
    h.send({ type: 'event.publish', name: 'payment', payload: { amount: 150 } });
    expect(h.task('w').output).toEqual({ name: 'payment', payload: { amount: 150 } });
    expect(h.task('after').output).toEqual({ paid: 150 });
    expect(h.run.status).toBe('completed');
  });

  it('fails an event wait whose timeout passes first', () => {
    const h = new RunHarness(
      workflowOf([{ id: 'w', type: 'wait', event: { name: 'ping', timeoutMs: 1000 } }]),
    );
    const d = h.start();
    expect(commandsOf(d, 'setTimer')).toEqual([{ type: 'setTimer', taskKey: 'w', at: h.now + 1000 }]);
    h.fireTimer('w');
    expect(h.task('w').error).toMatchObject({ code: 'TIMEOUT', retryable: false });
    expect(h.run.status).toBe('failed');
    expect(h.send({ type: 'event.publish', name: 'ping', payload: null }).delta.events).toEqual([]);
  });

  it('fails an event wait whose match expression throws', () => {
    const h = new RunHarness(
      workflowOf([{ id: 'w', type: 'wait', event: { name: 'e', match: 'event.payload.a.b' } }]),
    );
    h.start();
    h.send({ type: 'event.publish', name: 'e', payload: {} });
    expect(h.task('w').error?.code).toBe('EXPRESSION_TYPE');
  });
});

describe('decide: emit nodes', () => {
  it('publishes an event and wakes the waiting wait nodes of the same run', () => {
    const h = new RunHarness(
      workflowOf(
        [
          { id: 'listen', type: 'wait', event: { name: 'ready', match: 'event.payload.id == 7' } },
          agent('work'),
          { id: 'announce', type: 'emit', event: 'ready', payload: { id: '{{ nodes.work.output.id }}' } },
        ],
        [['work', 'announce']],
      ),
    );
    h.start();
    expect(h.status('listen')).toBe('waiting');
    const d = h.succeed('work', { id: 7 });
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({
        type: 'event.emitted',
        name: 'ready',
        payload: { id: 7 },
        taskKey: 'announce',
      }),
    );
    expect(h.task('announce').output).toEqual({ name: 'ready', payload: { id: 7 } });
    expect(h.task('listen').output).toEqual({ name: 'ready', payload: { id: 7 } });
    expect(h.run.status).toBe('completed');
  });

  it('does not wake a wait that starts after the event was published', () => {
    const h = new RunHarness(
      workflowOf(
        [
          { id: 'say', type: 'emit', event: 'x' },
          { id: 'late', type: 'wait', event: { name: 'x' } },
        ],
        [['say', 'late']],
      ),
    );
    h.start();
    expect(h.status('late')).toBe('waiting');
    expect(h.run.status).toBe('waiting');
  });
});

describe('decide: subworkflows', () => {
  it('starts a child run and completes with its outputs and cost', () => {
    const h = new RunHarness(
      workflowOf(
        [
          {
            id: 'child',
            type: 'subworkflow',
            workflow: { id: 'kid', version: '2.0.0' },
            inputs: { q: '{{ input.q }}' },
          },
          transform('after', { a: 'nodes.child.output.answer' }),
        ],
        [['child', 'after']],
      ),
      { input: { q: 'why' } },
    );
    const d = h.start();
    expect(commandsOf(d, 'startChildRun')).toEqual([
      {
        type: 'startChildRun',
        taskKey: 'child',
        attempt: 1,
        workflow: { id: 'kid', version: '2.0.0' },
        input: { q: 'why' },
      },
    ]);
    expect(h.task('child')).toMatchObject({ status: 'waiting', input: { q: 'why' } });
    expect(h.run.status).toBe('waiting');
    h.send({ type: 'child.completed', taskKey: 'child', output: { answer: 42 }, costUsd: 0.5 });
    expect(h.task('child')).toMatchObject({ status: 'succeeded', costUsd: 0.5 });
    expect(h.task('after').output).toEqual({ a: 42 });
    expect(h.run).toMatchObject({ status: 'completed', costUsd: 0.5 });
  });

  it('retries a failed child run with a new attempt and ignores results of the old one', () => {
    const h = new RunHarness(
      workflowOf([
        {
          id: 'child',
          type: 'subworkflow',
          workflow: { id: 'kid' },
          retry: { maxRetries: 1, initialDelayMs: 100 },
        },
      ]),
    );
    h.start();
    h.send({
      type: 'child.failed',
      taskKey: 'child',
      error: { code: 'TIMEOUT', message: 'slow', retryable: true },
      attempt: 1,
    });
    expect(h.task('child')).toMatchObject({ status: 'waiting', error: { code: 'TIMEOUT' } });
    const again = h.fireTimer('child');
    expect(commandsOf(again, 'startChildRun')).toEqual([
      expect.objectContaining({ taskKey: 'child', attempt: 2, workflow: { id: 'kid' } }),
    ]);
    expect(
      h.send({ type: 'child.completed', taskKey: 'child', output: {}, costUsd: 0, attempt: 1 }).delta.events,
    ).toEqual([]);
    h.send({
      type: 'child.failed',
      taskKey: 'child',
      error: { code: 'BAD', message: 'no', retryable: false },
    });
    expect(h.run).toMatchObject({ status: 'failed', error: { code: 'BAD' } });
  });

  it('cancels the child run when the run is cancelled', () => {
    const h = new RunHarness(workflowOf([{ id: 'child', type: 'subworkflow', workflow: { id: 'kid' } }]));
    h.start();
    const d = h.send({ type: 'cancel', by: 'op' });
    expect(commandsOf(d, 'cancelTask')).toEqual([
      { type: 'cancelTask', taskKey: 'child', reason: 'run cancelled' },
    ]);
  });
});
