import { describe, expect, it } from 'vitest';
import {
  agent,
  commandsOf,
  dispatched,
  RunHarness,
  transform,
  workflowOf,
} from './decide-harness.test-helper.js';

describe('decide: pause, resume, cancel', () => {
  it('dispatches nothing new while paused, records in-flight results, and dispatches what is ready on resume', () => {
    const h = new RunHarness(
      workflowOf(
        [agent('a'), agent('b'), transform('t', { v: '1' })],
        [
          ['a', 'b'],
          ['b', 't'],
        ],
      ),
    );
    h.start();
    const paused = h.send({ type: 'pause', by: 'op', reason: 'look' });
    expect(paused.delta.events).toEqual([
      expect.objectContaining({ type: 'operator.acted', command: 'pause', by: 'op', reason: 'look' }),
      expect.objectContaining({ type: 'run.paused', by: 'op', reason: 'look' }),
    ]);
    expect(h.run.status).toBe('paused');
    const result = h.succeed('a', 'A');
    expect(h.task('a').status).toBe('succeeded');
    expect(h.status('b')).toBe('ready');
    expect(dispatched(result)).toEqual([]);
    expect(h.run.status).toBe('paused');
    const resumed = h.send({ type: 'resume', by: 'op' });
    expect(resumed.delta.events[0]).toMatchObject({ type: 'operator.acted', command: 'resume', by: 'op' });
    expect(resumed.delta.events[1]).toMatchObject({ type: 'run.resumed', by: 'op' });
    expect(dispatched(resumed)).toEqual(['b']);
    h.succeed('b');
    expect(h.run.status).toBe('completed');
  });

  it('holds completion while paused and completes on resume', () => {
    const h = new RunHarness(workflowOf([agent('a')], [], { outputs: { a: { value: 'nodes.a.output' } } }));
    h.start();
    h.send({ type: 'pause' });
    h.succeed('a', 1);
    expect(h.run.status).toBe('paused');
    h.send({ type: 'resume' });
    expect(h.run).toMatchObject({ status: 'completed', output: { a: 1 } });
  });

  it('pauses a waiting run and goes back to waiting on resume', () => {
    const h = new RunHarness(workflowOf([{ id: 'w', type: 'wait', durationMs: 1000 }]));
    h.start();
    expect(h.run.status).toBe('waiting');
    h.send({ type: 'pause' });
    h.send({ type: 'resume' });
    expect(h.run.status).toBe('waiting');
    expect(h.send({ type: 'resume' }).delta.events).toEqual([]);
  });

  it('cancels every open task and the run', () => {
    const h = new RunHarness(
      workflowOf([
        agent('a'),
        { id: 'g', type: 'approval', assignee: 'x', message: 'm' },
        { id: 'each', type: 'loop', forEach: '[1,2]', body: { nodes: [agent('w')] } },
      ]),
    );
    h.start();
    const d = h.send({ type: 'cancel', by: 'op', reason: 'no longer needed' });
    expect(['a', 'g', 'each', 'each[0].w'].map((k) => h.status(k))).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(
      commandsOf(d, 'cancelTask')
        .map((c) => c.taskKey)
        .sort(),
    ).toEqual(['a', 'each[0].w']);
    expect(d.delta.events.at(-1)).toMatchObject({
      type: 'run.cancelled',
      by: 'op',
      reason: 'no longer needed',
    });
    expect(h.run).toMatchObject({ status: 'cancelled', endedAt: h.now });
    expect(h.succeed('a').delta.events).toEqual([]);
  });

  it('cancels a run that never started', () => {
    const h = new RunHarness(workflowOf([agent('a')]));
    const d = h.send({ type: 'cancel' });
    expect(h.run.status).toBe('cancelled');
    expect(d.commands).toEqual([{ type: 'finished' }]);
  });
});

describe('decide: recover and rebuild', () => {
  it('re-dispatches in-flight tasks with the same attempt after a restart', () => {
    const h = new RunHarness(
      workflowOf([agent('a', { retry: { maxRetries: 2, initialDelayMs: 10 } }), agent('b')]),
    );
    h.start();
    h.fail('a', { retryable: true });
    h.fireTimer('a');
    h.restart();
    const d = h.send({ type: 'recover' });
    expect(commandsOf(d, 'dispatch').map((c) => [c.taskKey, c.attempt])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(d.delta.events.filter((e) => e.type === 'task.started')).toEqual([
      expect.objectContaining({ taskKey: 'a', attempt: 2, recovered: true }),
      expect.objectContaining({ taskKey: 'b', attempt: 1, recovered: true }),
    ]);
    expect(h.task('a').attempt).toBe(2);
    h.succeed('a');
    h.succeed('b');
    expect(h.run.status).toBe('completed');
  });

  it('re-arms the timers of waiting tasks and asks again for child runs', () => {
    const h = new RunHarness(
      workflowOf([
        { id: 'w', type: 'wait', durationMs: 500 },
        { id: 'g', type: 'approval', assignee: 'x', message: 'm', deadlineMs: 900 },
        { id: 'kid', type: 'subworkflow', workflow: { id: 'k' }, inputs: { a: 1 } },
        { id: 'e', type: 'wait', event: { name: 'go' } },
      ]),
    );
    h.start();
    const at = h.now;
    h.restart();
    const d = h.send({ type: 'recover' }, at + 10_000);
    expect(commandsOf(d, 'setTimer')).toEqual([
      { type: 'setTimer', taskKey: 'w', at: at + 500 },
      { type: 'setTimer', taskKey: 'g', at: at + 900 },
    ]);
    expect(commandsOf(d, 'startChildRun')).toEqual([
      expect.objectContaining({ taskKey: 'kid', attempt: 1, input: { a: 1 } }),
    ]);
    h.fireTimer('w');
    h.send({ type: 'approval.decide', taskKey: 'g', decision: 'approved', by: 'x' });
    h.send({ type: 'child.completed', taskKey: 'kid', output: {}, costUsd: 0 });
    h.send({ type: 'event.publish', name: 'go', payload: 1 });
    expect(h.run.status).toBe('completed');
  });

  it('resumes a for-each loop after a restart with the same list and the outputs so far', () => {
    const wf = workflowOf(
      [
        {
          id: 'each',
          type: 'loop',
          forEach: 'vars.list',
          concurrency: 2,
          body: { nodes: [agent('w', { inputs: { x: '{{ loop.item }}' } })] },
        },
      ],
      [],
      { variables: { list: { default: ['a', 'b', 'c'] } } },
    );
    const h = new RunHarness(wf);
    h.start();
    h.succeed('each[0].w', 'A');
    h.restart();
    const d = h.send({ type: 'recover' });
    expect(commandsOf(d, 'dispatch').map((c) => [c.taskKey, c.input])).toEqual([
      ['each[1].w', { x: 'b' }],
      ['each[2].w', { x: 'c' }],
    ]);
    h.succeed('each[2].w', 'C');
    h.succeed('each[1].w', 'B');
    expect(h.task('each').output).toEqual(['A', 'B', 'C']);
  });

  it('rebuilds readiness counters, nodes views and parallel progress from the stored rows', () => {
    const wf = workflowOf(
      [
        agent('a'),
        {
          id: 'p',
          type: 'parallel',
          branches: [{ nodes: [agent('x')] }, { nodes: [transform('y', { v: 'nodes.a.output' })] }],
        },
        agent('b'),
        transform('join', { a: 'nodes.a.output', x: 'nodes.x.output', b: 'nodes.b.output' }),
      ],
      [
        ['a', 'p'],
        ['p', 'join'],
        ['b', 'join'],
      ],
    );
    const h = new RunHarness(wf);
    h.start();
    h.succeed('a', 'A');
    h.succeed('b', 'B');
    h.restart();
    h.send({ type: 'recover' });
    h.succeed('x', 'X');
    expect(h.task('p').output).toEqual(['X', { v: 'A' }]);
    expect(h.task('join').output).toEqual({ a: 'A', x: 'X', b: 'B' });
    expect(h.run.status).toBe('completed');
  });

  it('rebuilds a back-off, then retries when its timer fires', () => {
    const h = new RunHarness(workflowOf([agent('a', { retry: { maxRetries: 1, initialDelayMs: 50 } })]));
    h.start();
    h.fail('a', { retryable: true });
    h.restart();
    expect(commandsOf(h.send({ type: 'recover' }), 'setTimer')).toHaveLength(1);
    expect(commandsOf(h.fireTimer('a'), 'dispatch')).toEqual([expect.objectContaining({ attempt: 2 })]);
  });

  it('keeps a paused run paused across a restart and lets it resume', () => {
    const h = new RunHarness(workflowOf([agent('a'), agent('b')], [['a', 'b']]));
    h.start();
    h.send({ type: 'pause' });
    h.succeed('a');
    h.restart();
    expect(dispatched(h.send({ type: 'recover' }))).toEqual([]);
    expect(dispatched(h.send({ type: 'resume' }))).toEqual(['b']);
  });

  it('starts a run on recover that was created but never started', () => {
    const h = new RunHarness(workflowOf([agent('a')]));
    h.restart();
    expect(dispatched(h.send({ type: 'recover' }))).toEqual(['a']);
    expect(h.run.status).toBe('running');
  });

  it('lets a finished run be rebuilt and read, and changes nothing on input', () => {
    const h = new RunHarness(workflowOf([transform('t', { v: '1' })]));
    h.start();
    h.restart();
    expect(h.state.task('t')?.output).toEqual({ v: 1 });
    expect(h.state.tasks()).toHaveLength(1);
    expect(h.send({ type: 'recover' }).delta.events).toEqual([]);
  });
});
