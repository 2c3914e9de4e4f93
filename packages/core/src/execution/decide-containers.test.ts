import { describe, expect, it } from 'vitest';
import {
  agent,
  commandsOf,
  dispatched,
  RunHarness,
  transform,
  workflowOf,
} from './decide-harness.test-helper.js';

const parallel = (extra: Record<string, unknown>, branches: unknown[]) => ({
  id: 'p',
  type: 'parallel',
  branches,
  ...extra,
});
const branch = (...nodes: unknown[]) => ({ nodes });

describe('decide: parallel', () => {
  it('starts every branch at once and completes with the branch outputs when all are done', () => {
    const h = new RunHarness(
      workflowOf(
        [
          parallel({}, [branch(agent('a')), branch(agent('b')), branch(transform('c', { v: '3' }))]),
          transform('after', { all: 'nodes.p.output' }),
        ],
        [['p', 'after']],
      ),
    );
    const start = h.start();
    expect(dispatched(start)).toEqual(['a', 'b']);
    expect(h.task('p').status).toBe('running');
    h.succeed('b', 'B');
    expect(h.status('p')).toBe('running');
    h.succeed('a', 'A');
    expect(h.task('p')).toMatchObject({ status: 'succeeded', output: ['A', 'B', { v: 3 }] });
    expect(h.task('after').output).toEqual({ all: ['A', 'B', { v: 3 }] });
    expect(h.run.status).toBe('completed');
  });

  it('outputs null without aggregateOutputs, and a branch output expression when given', () => {
    const h = new RunHarness(
      workflowOf([
        parallel({ aggregateOutputs: false }, [branch(transform('x', { v: '1' }))]),
        {
          id: 'q',
          type: 'parallel',
          branches: [{ nodes: [transform('y', { v: '2' })], output: 'nodes.y.output.v * 10' }],
        },
      ]),
    );
    h.start();
    expect(h.task('p').output).toBeNull();
    expect(h.task('q').output).toEqual([20]);
  });

  it('lets nodes after the parallel read the nodes inside its branches', () => {
    const h = new RunHarness(
      workflowOf(
        [parallel({}, [branch(transform('x', { v: '7' }))]), transform('after', { v: 'nodes.x.output.v' })],
        [['p', 'after']],
      ),
    );
    h.start();
    expect(h.task('after').output).toEqual({ v: 7 });
  });

  it('with waitFor first, completes with the first branch and cancels the others', () => {
    const h = new RunHarness(
      workflowOf([
        parallel({ waitFor: 'first' }, [
          { nodes: [agent('fast')] },
          { nodes: [agent('slow'), agent('slow2')], edges: [{ from: 'slow', to: 'slow2' }] },
          { nodes: [{ id: 'gate', type: 'approval', assignee: 'x', message: 'ok?' }] },
        ]),
      ]),
    );
    h.start();
    const d = h.succeed('fast', 'winner');
    expect(h.task('p')).toMatchObject({ status: 'succeeded', output: 'winner' });
    expect(h.status('slow')).toBe('cancelled');
    expect(h.status('gate')).toBe('cancelled');
    expect(h.rows.has('slow2')).toBe(false);
    expect(commandsOf(d, 'cancelTask').map((c) => c.taskKey)).toEqual(['slow']);
    expect(h.run.status).toBe('completed');
  });

  it('with waitFor first, skips branch tasks that never started', () => {
    const h = new RunHarness(
      workflowOf([
        parallel({ waitFor: 'first' }, [
          { nodes: [agent('a')] },
          { nodes: [agent('b'), agent('c')], edges: [{ from: 'b', to: 'c' }] },
        ]),
      ]),
    );
    h.start();
    h.send({ type: 'pause' });
    h.succeed('b');
    expect(h.status('c')).toBe('ready');
    const d = h.succeed('a', 'A');
    expect(h.status('c')).toBe('skipped');
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({ type: 'task.skipped', taskKey: 'c', reason: 'cancelled_branch' }),
    );
    expect(commandsOf(d, 'cancelTask')).toEqual([]);
    expect(h.task('p').status).toBe('succeeded');
    expect(h.run.status).toBe('paused');
    h.send({ type: 'resume' });
    expect(h.run.status).toBe('completed');
  });

  it('with waitFor first, survives a failed branch while another can still win', () => {
    const h = new RunHarness(
      workflowOf([parallel({ waitFor: 'first' }, [branch(agent('a')), branch(agent('b'))])]),
    );
    h.start();
    h.fail('a');
    expect([h.status('a'), h.status('p'), h.run.status]).toEqual(['failed', 'running', 'running']);
    h.succeed('b', 'B');
    expect(h.task('p')).toMatchObject({ status: 'succeeded', output: 'B' });
    const all = new RunHarness(
      workflowOf([parallel({ waitFor: 'first' }, [branch(agent('a')), branch(agent('b'))])]),
    );
    all.start();
    all.fail('a');
    all.fail('b', { code: 'LAST' });
    expect(all.run).toMatchObject({ status: 'failed', error: { code: 'LAST' } });
  });

  it('with waitFor all, fails when a branch fails and cancels the other branches', () => {
    const h = new RunHarness(workflowOf([parallel({}, [branch(agent('a')), branch(agent('b'))])]));
    h.start();
    const d = h.fail('a', { code: 'BAD' });
    expect([h.status('b'), h.status('p')]).toEqual(['cancelled', 'failed']);
    expect(commandsOf(d, 'cancelTask').map((c) => c.taskKey)).toEqual(['b']);
    expect(h.run.error?.code).toBe('BAD');
    expect(d.delta.events.at(-1)).toMatchObject({ type: 'run.failed', taskKey: 'a' });
  });
});

describe('decide: for-each loops', () => {
  const forEach = (extra: Record<string, unknown>, ...body: unknown[]) => ({
    id: 'each',
    type: 'loop',
    forEach: 'input.items',
    body: { nodes: body, edges: [] },
    ...extra,
  });

  it('dispatches at most `concurrency` iterations at once and outputs in item order', () => {
    const h = new RunHarness(
      workflowOf([
        forEach(
          { concurrency: 2 },
          agent('work', { inputs: { item: '{{ loop.item }}', i: '{{ loop.index }}' } }),
        ),
      ]),
      {
        input: { items: ['a', 'b', 'c', 'd'] },
      },
    );
    const start = h.start();
    expect(commandsOf(start, 'dispatch').map((c) => [c.taskKey, c.input])).toEqual([
      ['each[0].work', { item: 'a', i: 0 }],
      ['each[1].work', { item: 'b', i: 1 }],
    ]);
    expect(h.task('each').input).toEqual({ items: ['a', 'b', 'c', 'd'] });
    expect(dispatched(h.succeed('each[1].work', 'B'))).toEqual(['each[2].work']);
    expect(dispatched(h.succeed('each[2].work', 'C'))).toEqual(['each[3].work']);
    expect(dispatched(h.succeed('each[3].work', 'D'))).toEqual([]);
    expect(h.status('each')).toBe('running');
    h.succeed('each[0].work', 'A');
    expect(h.task('each')).toMatchObject({ status: 'succeeded', output: ['A', 'B', 'C', 'D'] });
    expect(
      h.events.filter((e) => e.type === 'loop.iterated').map((e) => (e as { index: number }).index),
    ).toEqual([0, 1, 2, 3]);
  });

  it('gives each iteration its own nodes view and an output expression over it', () => {
    const h = new RunHarness(
      workflowOf(
        [
          transform('before', { base: '100' }),
          {
            id: 'each',
            type: 'loop',
            forEach: '[1, 2, 3]',
            output: 'nodes.sum.output.v',
            body: {
              nodes: [
                transform('sq', { v: 'loop.item * loop.item' }),
                transform('sum', { v: 'nodes.sq.output.v + nodes.before.output.base' }),
              ],
              edges: [{ from: 'sq', to: 'sum' }],
            },
          },
          transform('after', { last: 'nodes.sum.output.v', all: 'nodes.each.output' }),
        ],
        [
          ['before', 'each'],
          ['each', 'after'],
        ],
      ),
    );
    h.start();
    expect(h.task('each').output).toEqual([101, 104, 109]);
    expect(h.task('each[2].sq').output).toEqual({ v: 9 });
    expect(h.task('after').output).toEqual({ last: 109, all: [101, 104, 109] });
  });

  it('completes at once with an empty list, and fails on a value that is not a list', () => {
    const empty = new RunHarness(workflowOf([forEach({}, agent('w'))]), { input: { items: [] } });
    empty.start();
    expect(empty.task('each')).toMatchObject({ status: 'succeeded', output: [] });
    const bad = new RunHarness(workflowOf([forEach({}, agent('w'))]), { input: { items: 'nope' } });
    bad.start();
    expect(bad.task('each').error).toMatchObject({ code: 'EXPRESSION_TYPE' });
  });

  it('refuses a list longer than maxIterations instead of silently dropping items', () => {
    const h = new RunHarness(workflowOf([forEach({ maxIterations: 2 }, agent('w'))]), {
      input: { items: [1, 2, 3] },
    });
    h.start();
    expect(h.task('each').error).toMatchObject({ code: 'LOOP_LIMIT', retryable: false });
  });

  it('fails the loop when an iteration fails and nothing handles it, cancelling the others', () => {
    const h = new RunHarness(workflowOf([forEach({ concurrency: 3 }, agent('w'))]), {
      input: { items: [1, 2, 3] },
    });
    h.start();
    const d = h.fail('each[1].w', { code: 'BROKE' });
    expect(['each[0].w', 'each[1].w', 'each[2].w', 'each'].map((k) => h.status(k))).toEqual([
      'cancelled',
      'failed',
      'cancelled',
      'failed',
    ]);
    expect(
      commandsOf(d, 'cancelTask')
        .map((c) => c.taskKey)
        .sort(),
    ).toEqual(['each[0].w', 'each[2].w']);
    expect(d.delta.events.at(-1)).toMatchObject({
      type: 'run.failed',
      taskKey: 'each[1].w',
      error: { code: 'BROKE' },
    });
  });

  it('routes a failed loop to its error port like any node', () => {
    const h = new RunHarness(
      workflowOf(
        [forEach({ onError: 'route' }, agent('w')), transform('handler', { why: 'nodes.each.error.code' })],
        [['each', 'handler', 'error']],
      ),
      { input: { items: [1] } },
    );
    h.start();
    h.fail('each[0].w', { code: 'BROKE' });
    expect(h.task('handler').output).toEqual({ why: 'BROKE' });
    expect(h.run.status).toBe('completed');
  });

  it('keys nested loop tasks by every iteration they sit in', () => {
    const h = new RunHarness(
      workflowOf([
        {
          id: 'outer',
          type: 'loop',
          forEach: '[[1, 2], [3]]',
          body: {
            nodes: [
              {
                id: 'inner',
                type: 'loop',
                forEach: 'loop.item',
                body: { nodes: [transform('cell', { v: 'loop.item * 10' })] },
              },
            ],
          },
        },
      ]),
    );
    h.start();
    expect(h.task('outer[0].inner[1].cell').output).toEqual({ v: 20 });
    expect(h.task('outer[1].inner[0].cell').output).toEqual({ v: 30 });
    expect(h.task('outer').output).toEqual([[{ v: 10 }, { v: 20 }], [{ v: 30 }]]);
  });

  it('keeps concurrent iterations apart: each reads its own upstream body node', () => {
    const h = new RunHarness(
      workflowOf([
        {
          id: 'each',
          type: 'loop',
          forEach: '["x", "y"]',
          concurrency: 2,
          body: {
            nodes: [agent('fetch'), transform('use', { got: 'nodes.fetch.output' })],
            edges: [{ from: 'fetch', to: 'use' }],
          },
        },
      ]),
    );
    h.start();
    h.succeed('each[0].fetch', 'X');
    h.succeed('each[1].fetch', 'Y');
    expect([h.task('each[0].use').output, h.task('each[1].use').output]).toEqual([
      { got: 'X' },
      { got: 'Y' },
    ]);
  });
});

describe('decide: while loops', () => {
  it('checks its condition before each iteration, one at a time', () => {
    const h = new RunHarness(
      workflowOf(
        [
          {
            id: 'w',
            type: 'loop',
            while: 'loop.index < 3',
            body: { nodes: [agent('step', { inputs: { i: '{{ loop.index }}' } })] },
          },
        ],
        [],
      ),
    );
    expect(dispatched(h.start())).toEqual(['w[0].step']);
    expect(dispatched(h.succeed('w[0].step', 0))).toEqual(['w[1].step']);
    expect(dispatched(h.succeed('w[1].step', 1))).toEqual(['w[2].step']);
    h.succeed('w[2].step', 2);
    expect(h.task('w')).toMatchObject({ status: 'succeeded', output: [0, 1, 2] });
  });

  it('reads the last iteration in its condition', () => {
    const h = new RunHarness(
      workflowOf([
        {
          id: 'w',
          type: 'loop',
          while: 'loop.index == 0 || nodes.step.output.more',
          body: { nodes: [transform('step', { more: 'loop.index < 4' })] },
        },
      ]),
    );
    h.start();
    expect(h.task('w').output).toHaveLength(5);
  });

  it('stops at maxIterations and records why', () => {
    const h = new RunHarness(
      workflowOf([
        {
          id: 'w',
          type: 'loop',
          while: 'true',
          maxIterations: 3,
          body: { nodes: [transform('s', { v: 'loop.index' })] },
        },
      ]),
    );
    const d = h.start();
    expect(h.task('w')).toMatchObject({ status: 'succeeded', output: [{ v: 0 }, { v: 1 }, { v: 2 }] });
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({
        type: 'task.progress',
        taskKey: 'w',
        data: { reason: 'max_iterations', iterations: 3 },
      }),
    );
  });

  it('runs no iteration when the condition is false at once', () => {
    const h = new RunHarness(
      workflowOf([{ id: 'w', type: 'loop', while: 'false', body: { nodes: [agent('s')] } }]),
    );
    h.start();
    expect(h.task('w')).toMatchObject({ status: 'succeeded', output: [] });
    expect(h.rows.has('w[0].s')).toBe(false);
  });
});
