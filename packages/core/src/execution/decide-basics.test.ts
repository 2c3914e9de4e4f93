import { describe, expect, it } from 'vitest';
import { createRunState } from './restore-run-state.js';
import { decide } from './decide.js';
import {
  agent,
  agentDef,
  commandsOf,
  dispatched,
  RunHarness,
  transform,
  workflowOf,
} from './decide-harness.test-helper.js';

describe('decide: starting and chains', () => {
  it('starts a queued run, makes the entry tasks ready and dispatches them', () => {
    const h = new RunHarness(workflowOf([agent('a'), agent('b')], [['a', 'b']]));
    const d = h.start();
    expect(h.eventTypes(d)).toEqual(['run.started', 'task.ready:a', 'task.started:a']);
    expect(d.delta.run).toMatchObject({ status: 'running', startedAt: h.now });
    expect(dispatched(d)).toEqual(['a']);
    expect(h.task('a')).toMatchObject({
      status: 'running',
      attempt: 1,
      agent: 'worker@1.0.0',
      startedAt: h.now,
    });
    expect(h.rows.has('b')).toBe(false);
  });

  it('runs a chain of agents one after another and completes with the cost of every step', () => {
    const h = new RunHarness(
      workflowOf(
        [agent('a'), agent('b'), agent('c')],
        [
          ['a', 'b'],
          ['b', 'c'],
        ],
      ),
    );
    h.start();
    h.advance(10);
    expect(dispatched(h.succeed('a', { n: 1 }, 0.5))).toEqual(['b']);
    h.advance(10);
    expect(dispatched(h.succeed('b', { n: 2 }, 0.25))).toEqual(['c']);
    const done = h.succeed('c', { n: 3 }, 0.25);
    expect(h.run).toMatchObject({ status: 'completed', costUsd: 1, endedAt: h.now, output: {} });
    expect(commandsOf(done, 'finished')).toHaveLength(1);
    expect(h.task('b')).toMatchObject({ status: 'succeeded', output: { n: 2 }, port: 'out', costUsd: 0.25 });
    expect(done.delta.events.at(-1)).toMatchObject({ type: 'run.completed', costUsd: 1 });
  });

  it('numbers events consecutively from the last seq of the state it is given', () => {
    const workflow = workflowOf([transform('t', { x: '1' })]);
    const state = createRunState(
      workflow,
      {
        id: 'r',
        workflowId: 'wf',
        workflowVersion: '1.0.0',
        status: 'queued',
        priority: 50,
        input: {},
        vars: {},
        costUsd: 0,
        createdAt: 0,
      },
      [],
      7,
    );
    const d = decide(
      state,
      { type: 'start' },
      { now: 5, resolveAgent: () => ({ error: { code: 'X', message: 'x', retryable: false } }) },
    );
    expect(d.delta.events.map((e) => e.seq)).toEqual([8, 9, 10, 11]);
    expect(state.lastSeq).toBe(11);
  });

  it('evaluates transforms in the same decision and passes outputs down the chain', () => {
    const h = new RunHarness(
      workflowOf(
        [transform('double', { v: 'input.n * 2' }), transform('inc', { v: 'nodes.double.output.v + 1' })],
        [['double', 'inc']],
        { outputs: { result: { value: 'nodes.inc.output.v' } } },
      ),
      { input: { n: 20 } },
    );
    const d = h.start();
    expect(h.run).toMatchObject({ status: 'completed', output: { result: 41 } });
    expect(h.eventTypes(d)).toEqual([
      'run.started',
      'task.ready:double',
      'task.succeeded:double',
      'task.ready:inc',
      'task.succeeded:inc',
      'run.completed',
    ]);
  });

  it('ignores inputs to a run that has not started, and every input to a finished run', () => {
    const h = new RunHarness(workflowOf([transform('t', { x: '1' })]));
    expect(h.send({ type: 'resume' }).delta.events).toEqual([]);
    h.start();
    expect(h.run.status).toBe('completed');
    const late = h.send({ type: 'cancel' });
    expect(late.delta).toEqual({ runId: 'run-1', tasks: [], events: [] });
    expect(late.commands).toEqual([]);
  });

  it('fails a run on start when its graph has a cycle', () => {
    const h = new RunHarness(
      workflowOf(
        [transform('a', { x: '1' }), transform('b', { x: '1' })],
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
      ),
    );
    h.start();
    expect(h.run.status).toBe('failed');
    expect(h.run.error?.code).toBe('DEFINITION_INVALID');
  });
});

describe('decide: agent dispatch', () => {
  it('resolves templates in inputs and takes the timeout from the node, then the workflow, then the agent', () => {
    const nodes = [
      agent('a', { inputs: { text: 'Hello {{ input.name }}', n: '{{ input.n }}' }, timeoutMs: 5 }),
      agent('b'),
    ];
    const h = new RunHarness(workflowOf(nodes, [], { policies: { timeoutMs: 7 } }), {
      input: { name: 'Ada', n: 3 },
    });
    const [a, b] = commandsOf(h.start(), 'dispatch');
    expect(a).toMatchObject({ taskKey: 'a', attempt: 1, input: { text: 'Hello Ada', n: 3 }, timeoutMs: 5 });
    expect(b?.timeoutMs).toBe(7);
    const plain = new RunHarness(workflowOf([agent('a')]));
    expect(commandsOf(plain.start(), 'dispatch')[0]?.timeoutMs).toBe(30_000);
  });

  it('ranks dispatches by the longest remaining path', () => {
    const h = new RunHarness(workflowOf([agent('long'), agent('short'), agent('tail')], [['long', 'tail']]));
    const ranks = Object.fromEntries(commandsOf(h.start(), 'dispatch').map((c) => [c.taskKey, c.rank]));
    expect(ranks['long']).toBeGreaterThan(ranks['short'] ?? Infinity);
  });

  it('logs why an agent was selected when the resolver says', () => {
    const h = new RunHarness(workflowOf([{ id: 'pick', type: 'agent', select: { skills: ['work'] } }]));
    const d = h.start();
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({
        type: 'agent.selected',
        taskKey: 'pick',
        agent: 'worker@1.0.0',
        reason: 'only agent with work',
      }),
    );
  });

  it('fails the task with the resolver error when no agent can be used', () => {
    const h = new RunHarness(workflowOf([{ id: 'a', type: 'agent', agent: { id: 'missing' } }]));
    h.start();
    expect(h.task('a')).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND' } });
    expect(h.run.status).toBe('failed');
  });

  it('fails a task whose input template does not evaluate, without retrying it', () => {
    const h = new RunHarness(
      workflowOf([agent('a', { inputs: { x: '{{ input.missing.deep }}' }, retry: { maxRetries: 3 } })]),
    );
    const d = h.start();
    expect(h.task('a')).toMatchObject({
      status: 'failed',
      error: { code: 'EXPRESSION_TYPE', retryable: false },
    });
    expect(dispatched(d)).toEqual([]);
    expect(d.delta.events.at(-1)).toMatchObject({ type: 'run.failed', taskKey: 'a' });
  });

  it('ignores results of stale attempts and of tasks that are not running', () => {
    const h = new RunHarness(workflowOf([agent('a')]));
    h.start();
    const stale = h.send({ type: 'agent.succeeded', taskKey: 'a', attempt: 2, output: 1, costUsd: 1 });
    expect(stale.delta).toEqual({ runId: 'run-1', tasks: [], events: [] });
    expect(
      h.send({
        type: 'agent.failed',
        taskKey: 'nope',
        attempt: 1,
        error: { code: 'X', message: '', retryable: true },
      }).delta.events,
    ).toEqual([]);
    h.succeed('a');
    expect(h.run.status).toBe('completed');
  });

  it('logs agent progress without touching the task row', () => {
    const h = new RunHarness(workflowOf([agent('a')]));
    h.start();
    const d = h.send({ type: 'agent.progress', taskKey: 'a', message: 'half', data: { pct: 50 } });
    expect(d.delta.tasks).toEqual([]);
    expect(d.delta.events).toEqual([
      expect.objectContaining({ type: 'task.progress', taskKey: 'a', message: 'half', data: { pct: 50 } }),
    ]);
  });

  it('passes a saved checkpoint to the next dispatch', () => {
    const h = new RunHarness(
      workflowOf([agent('a', { retry: { maxRetries: 1, initialDelayMs: 10, jitter: 0 } })]),
    );
    h.start();
    h.fail('a', { retryable: true });
    const stored = { ...h.task('a'), checkpoint: { page: 3 } };
    h.rows.set('a', stored);
    h.restart();
    expect(commandsOf(h.fireTimer('a'), 'dispatch')[0]).toMatchObject({
      attempt: 2,
      checkpoint: { page: 3 },
    });
  });
});

describe('decide: conditionals and joins', () => {
  const branching = (condition: string) =>
    workflowOf(
      [
        { id: 'check', type: 'conditional', condition },
        transform('yes', { v: '"yes"' }),
        transform('no', { v: '"no"' }),
        transform('join', { v: 'nodes.yes.output?.v ?? nodes.no.output?.v' }),
      ],
      [
        ['check', 'yes', 'true'],
        ['check', 'no', 'false'],
        ['yes', 'join'],
        ['no', 'join'],
      ],
      { outputs: { v: { value: 'nodes.join.output.v' } } },
    );

  it('takes the true port, skips the other branch and runs the join once', () => {
    const h = new RunHarness(branching('input.n > 1'), { input: { n: 2 } });
    const d = h.start();
    expect(h.status('no')).toBe('skipped');
    expect(h.task('check')).toMatchObject({ port: 'true', output: { port: 'true' } });
    expect(d.delta.events.filter((e) => e.type === 'task.succeeded' && e.taskKey === 'join')).toHaveLength(1);
    expect(h.run.output).toEqual({ v: 'yes' });
  });

  it('takes the false port when the condition does not hold', () => {
    const h = new RunHarness(branching('input.n > 1'), { input: { n: 0 } });
    h.start();
    expect([h.status('yes'), h.status('no')]).toEqual(['skipped', 'succeeded']);
    expect(h.run.output).toEqual({ v: 'no' });
  });

  it('switches on the first case that holds, else the default port', () => {
    const workflow = (n: number) =>
      new RunHarness(
        workflowOf(
          [
            {
              id: 'sw',
              type: 'conditional',
              cases: [
                { port: 'big', when: 'input.n > 100' },
                { port: 'mid', when: 'input.n > 10' },
              ],
            },
            transform('big', { v: '1' }),
            transform('mid', { v: '2' }),
            transform('other', { v: '3' }),
          ],
          [
            ['sw', 'big', 'big'],
            ['sw', 'mid', 'mid'],
            ['sw', 'other', 'default'],
          ],
        ),
        { input: { n } },
      );
    const ran = (h: RunHarness) => ['big', 'mid', 'other'].filter((k) => h.status(k) === 'succeeded');
    const [a, b, c] = [workflow(500), workflow(50), workflow(5)];
    for (const h of [a, b, c]) h.start();
    expect([ran(a), ran(b), ran(c)]).toEqual([['big'], ['mid'], ['other']]);
  });

  it('skips a whole dead path, and a node whose every incoming edge was not taken', () => {
    const h = new RunHarness(
      workflowOf(
        [
          { id: 'c', type: 'conditional', condition: 'false' },
          agent('x'),
          agent('y'),
          transform('z', { v: '1' }),
        ],
        [
          ['c', 'x', 'true'],
          ['x', 'y'],
          ['y', 'z'],
        ],
      ),
    );
    const d = h.start();
    expect(['x', 'y', 'z'].map((k) => h.status(k))).toEqual(['skipped', 'skipped', 'skipped']);
    expect(
      d.delta.events.filter((e) => e.type === 'task.skipped').map((e) => (e as { reason: string }).reason),
    ).toEqual(['dead_path', 'dead_path', 'dead_path']);
    expect(h.run.status).toBe('completed');
  });

  it('waits for every incoming edge of a diamond before the join runs', () => {
    const h = new RunHarness(
      workflowOf(
        [agent('a'), agent('b'), agent('c'), agent('d')],
        [
          ['a', 'b'],
          ['a', 'c'],
          ['b', 'd'],
          ['c', 'd'],
        ],
      ),
    );
    h.start();
    expect(dispatched(h.succeed('a'))).toEqual(['b', 'c']);
    expect(dispatched(h.succeed('b'))).toEqual([]);
    expect(dispatched(h.succeed('c'))).toEqual(['d']);
  });

  it('fails a conditional whose expression throws, with the expression error', () => {
    const h = new RunHarness(workflowOf([{ id: 'c', type: 'conditional', condition: 'input.a.b' }]));
    h.start();
    expect(h.task('c').error).toMatchObject({ code: 'EXPRESSION_TYPE', retryable: false });
    expect(h.run.status).toBe('failed');
  });
});

describe('decide: variables, outputs and costs', () => {
  it('sets variables from assign with the output in scope and logs vars.updated', () => {
    const h = new RunHarness(
      workflowOf(
        [agent('a', { assign: { total: 'output.n * 2' } }), transform('t', { seen: 'vars.total' })],
        [['a', 't']],
        {
          variables: { total: { default: 0 } },
        },
      ),
    );
    h.start();
    const d = h.succeed('a', { n: 21 });
    expect(d.delta.run?.vars).toEqual({ total: 42 });
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({ type: 'vars.updated', vars: { total: 42 }, taskKey: 'a' }),
    );
    expect(h.task('t').output).toEqual({ seen: 42 });
  });

  it('fails the task when an assign expression throws', () => {
    const h = new RunHarness(
      workflowOf([agent('a', { assign: { x: 'output.missing.deep' } })], [], { variables: { x: {} } }),
    );
    h.start();
    h.succeed('a', {});
    expect(h.task('a')).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_TYPE' } });
  });

  it('fails the run when a workflow output expression throws', () => {
    const h = new RunHarness(
      workflowOf([transform('t', { x: '1' })], [], { outputs: { bad: { value: 'nodes.t.output.x.y.z' } } }),
    );
    const d = h.start();
    expect(h.run).toMatchObject({ status: 'failed', error: { code: 'EXPRESSION_TYPE' } });
    expect(d.delta.events.at(-1)).not.toHaveProperty('taskKey');
  });

  it('reads now() as the decision time and run fields as the run root', () => {
    const h = new RunHarness(
      workflowOf([transform('t', { at: 'now()', id: 'run.id', wf: 'run.workflowId' })]),
      { start: 1_000 },
    );
    h.start();
    expect(h.task('t').output).toEqual({ at: 1_000, id: 'run-1', wf: 'wf' });
  });

  it('shows a skipped node to later expressions with a null output', () => {
    const h = new RunHarness(
      workflowOf(
        [
          { id: 'c', type: 'conditional', condition: 'false' },
          transform('x', { v: '1' }),
          transform('after', { s: 'nodes.x.status', o: 'nodes.x.output' }),
        ],
        [
          ['c', 'x', 'true'],
          ['c', 'after', 'false'],
        ],
      ),
    );
    h.start();
    expect(h.task('after').output).toEqual({ s: 'skipped', o: null });
  });

  it('charges the cost of a second agent to the run without counting the first twice', () => {
    const h = new RunHarness(workflowOf([agent('a'), agent('b')]), { agents: [agentDef('worker')] });
    h.start();
    h.succeed('a', 1, 0.1);
    h.succeed('b', 2, 0.2);
    expect(h.run.costUsd).toBeCloseTo(0.3);
    expect([h.task('a').costUsd, h.task('b').costUsd]).toEqual([0.1, 0.2]);
  });
});
