import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agent,
  agentDef,
  commandsOf,
  dispatched,
  RunHarness,
  transform,
  workflowOf,
} from './decide-harness.test-helper.js';
import {
  backoffDelay,
  resolveRetryPolicy,
  seededFraction,
  type ResolvedRetryPolicy,
} from './retry-backoff.js';

const timeout = { code: 'TIMEOUT', message: 'timed out', retryable: true } as const;

describe('retry back-off', () => {
  const policy = (over: Partial<ResolvedRetryPolicy> = {}): ResolvedRetryPolicy => ({
    maxRetries: 5,
    backoff: 'exponential',
    initialDelayMs: 100,
    maxDelayMs: 10_000,
    jitter: 0,
    ...over,
  });

  it('grows exponentially, linearly or not at all, capped by maxDelayMs', () => {
    const delays = (p: ResolvedRetryPolicy) => [1, 2, 3, 4].map((n) => backoffDelay(p, n, 'seed'));
    expect(delays(policy())).toEqual([100, 200, 400, 800]);
    expect(delays(policy({ backoff: 'linear' }))).toEqual([100, 200, 300, 400]);
    expect(delays(policy({ backoff: 'fixed' }))).toEqual([100, 100, 100, 100]);
    expect(delays(policy({ maxDelayMs: 250 }))).toEqual([100, 200, 250, 250]);
  });

  it('spreads each delay within ± jitter, the same way every time for the same seed', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 10 }), (seed, attempt) => {
        const p = policy({ jitter: 0.2, maxDelayMs: 1_000_000 });
        const delay = backoffDelay(p, attempt, seed);
        const base = 100 * 2 ** (attempt - 1);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        expect(backoffDelay(p, attempt, seed)).toBe(delay);
      }),
    );
    const fractions = Array.from({ length: 1000 }, (_, i) => seededFraction(`run:task:${i}`));
    expect(Math.min(...fractions)).toBeLessThan(0.05);
    expect(Math.max(...fractions)).toBeGreaterThan(0.95);
  });

  it('takes the node policy, then the workflow policy, then the agent policy with default delays', () => {
    const worker = agentDef('worker', {
      config: { maxConcurrency: 1, timeout: 1000, retryPolicy: { maxRetries: 2, backoff: 'linear' } },
    });
    const node = { id: 'a', type: 'agent' as const, inputs: {} };
    expect(resolveRetryPolicy(node, {}, worker)).toEqual({
      maxRetries: 2,
      backoff: 'linear',
      initialDelayMs: 1000,
      maxDelayMs: 60_000,
      jitter: 0.2,
    });
    const wf = {
      retry: { maxRetries: 1, backoff: 'fixed' as const, initialDelayMs: 5, maxDelayMs: 5, jitter: 0 },
    };
    expect(resolveRetryPolicy(node, wf, worker)?.maxRetries).toBe(1);
    expect(
      resolveRetryPolicy({ ...node, retry: { ...wf.retry, maxRetries: 9 } }, wf, worker)?.maxRetries,
    ).toBe(9);
    expect(resolveRetryPolicy({ id: 't', type: 'transform', set: {} }, {}, worker)).toBeUndefined();
  });
});

describe('decide: retries', () => {
  it('retries a timed-out step with exponential backoff', () => {
    const h = new RunHarness(
      workflowOf([agent('a', { retry: { maxRetries: 3, initialDelayMs: 1000, jitter: 0.2 } })]),
    );
    h.start();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const failed = h.fail('a', timeout);
      const retrying = failed.delta.events.find((e) => e.type === 'task.retrying');
      expect(retrying).toMatchObject({ attempt, error: timeout });
      const delay = (retrying as { delayMs: number }).delayMs;
      delays.push(delay);
      expect(h.task('a')).toMatchObject({ status: 'waiting', wakeAt: h.now + delay, error: timeout });
      expect(commandsOf(failed, 'setTimer')).toEqual([{ type: 'setTimer', taskKey: 'a', at: h.now + delay }]);
      expect(h.run.status).toBe('waiting');
      const next = h.fireTimer('a');
      expect(commandsOf(next, 'dispatch')).toEqual([
        expect.objectContaining({ taskKey: 'a', attempt: attempt + 1 }),
      ]);
      expect(h.task('a').error).toBeUndefined();
      expect(h.run.status).toBe('running');
    }
    delays.forEach((delay, i) => {
      const base = 1000 * 2 ** i;
      expect(delay).toBeGreaterThanOrEqual(base * 0.8);
      expect(delay).toBeLessThanOrEqual(base * 1.2);
    });
    h.fail('a', timeout);
    expect(h.task('a')).toMatchObject({ status: 'failed', attempt: 4 });
    expect(h.run.status).toBe('failed');
  });

  it('draws the same jitter on replay of the same run', () => {
    const delayOf = () => {
      const h = new RunHarness(workflowOf([agent('a', { retry: { maxRetries: 1, jitter: 0.5 } })]));
      h.start();
      return (
        h.fail('a', timeout).delta.events.find((e) => e.type === 'task.retrying') as { delayMs: number }
      ).delayMs;
    };
    expect(delayOf()).toBe(delayOf());
  });

  it('retries an error that is not retryable only when its code is in retryOn', () => {
    const retried = new RunHarness(
      workflowOf([agent('a', { retry: { maxRetries: 1, retryOn: ['RATE_LIMITED'] } })]),
    );
    retried.start();
    retried.fail('a', { code: 'RATE_LIMITED', retryable: false });
    expect(retried.status('a')).toBe('waiting');
    const failed = new RunHarness(
      workflowOf([agent('a', { retry: { maxRetries: 1, retryOn: ['RATE_LIMITED'] } })]),
    );
    failed.start();
    failed.fail('a', { code: 'BAD_INPUT', retryable: false });
    expect(failed.status('a')).toBe('failed');
  });

  it("falls back to the workflow's policy, then to the agent's", () => {
    const wf = new RunHarness(
      workflowOf([agent('a')], [], { policies: { retry: { maxRetries: 1, initialDelayMs: 10 } } }),
    );
    wf.start();
    wf.fail('a', timeout);
    expect(wf.status('a')).toBe('waiting');
    const retrying = agentDef('worker', {
      config: { maxConcurrency: 1, timeout: 10, retryPolicy: { maxRetries: 1, backoff: 'linear' } },
    });
    const ag = new RunHarness(workflowOf([agent('a')]), { agents: [retrying] });
    ag.start();
    const d = ag.fail('a', timeout);
    const delay = (d.delta.events.find((e) => e.type === 'task.retrying') as { delayMs: number }).delayMs;
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1200);
  });

  it('ignores a back-off timer for a task that is no longer waiting on it', () => {
    const h = new RunHarness(workflowOf([agent('a', { retry: { maxRetries: 1, initialDelayMs: 10 } })]));
    h.start();
    h.fail('a', timeout);
    h.fireTimer('a');
    expect(h.send({ type: 'timer.fired', taskKey: 'a' }).delta.events).toEqual([]);
  });
});

describe('decide: failing fast', () => {
  it('fails the run on a non-retryable failure and cancels the running siblings', () => {
    const h = new RunHarness(
      workflowOf(
        [agent('a', { retry: { maxRetries: 3 } }), agent('b'), agent('c'), agent('d')],
        [['c', 'd']],
      ),
    );
    h.start();
    const d = h.fail('a', { code: 'INVALID', retryable: false });
    expect(commandsOf(d, 'cancelTask').map((c) => c.taskKey)).toEqual(['b', 'c']);
    expect(['a', 'b', 'c'].map((k) => h.status(k))).toEqual(['failed', 'cancelled', 'cancelled']);
    expect(h.rows.has('d')).toBe(false);
    expect(h.run).toMatchObject({ status: 'failed', error: { code: 'INVALID' }, endedAt: h.now });
    expect(d.delta.events.at(-1)).toMatchObject({ type: 'run.failed', taskKey: 'a' });
    expect(d.commands.at(-1)).toEqual({ type: 'finished' });
  });

  it('starts nothing more in a scope once a failure in it is unhandled', () => {
    const h = new RunHarness(workflowOf([transform('bad', { x: 'input.a.b' }), agent('b')]));
    const d = h.start();
    expect(h.run.status).toBe('failed');
    expect(dispatched(d)).toEqual([]);
    expect(commandsOf(d, 'cancelTask')).toEqual([]);
    expect(h.status('b')).toBe('cancelled');
  });
});

describe('decide: onError', () => {
  it('routes a failure to the error port and skips the normal successors', () => {
    const h = new RunHarness(
      workflowOf(
        [
          agent('a', { onError: 'route' }),
          agent('next'),
          transform('handler', { code: 'nodes.a.error.code', status: 'nodes.a.status' }),
        ],
        [
          ['a', 'next'],
          ['a', 'handler', 'error'],
        ],
      ),
    );
    h.start();
    const d = h.fail('a', { code: 'NOPE' });
    expect(d.delta.events).toContainEqual(
      expect.objectContaining({ type: 'task.failed', taskKey: 'a', handledBy: 'route' }),
    );
    expect(h.task('a')).toMatchObject({ status: 'failed', port: 'error', output: null });
    expect(h.status('next')).toBe('skipped');
    expect(h.task('handler').output).toEqual({ code: 'NOPE', status: 'failed' });
    expect(h.run.status).toBe('completed');
  });

  it('treats route without an error edge as unhandled', () => {
    const h = new RunHarness(workflowOf([agent('a', { onError: 'route' }), agent('next')], [['a', 'next']]));
    h.start();
    h.fail('a');
    expect(h.run.status).toBe('failed');
  });

  it('continues with a null output, the failure recorded, under continue and optional', () => {
    for (const extra of [{ onError: 'continue' }, { optional: true }]) {
      const h = new RunHarness(
        workflowOf(
          [agent('a', extra), transform('next', { got: 'nodes.a.output', why: 'nodes.a.error.message' })],
          [['a', 'next']],
        ),
      );
      h.start();
      const d = h.fail('a', { message: 'broken' });
      expect(d.delta.events).toContainEqual(
        expect.objectContaining({ type: 'task.failed', taskKey: 'a', handledBy: 'continue' }),
      );
      expect(h.task('a')).toMatchObject({
        status: 'failed',
        port: 'out',
        output: null,
        error: { message: 'broken' },
      });
      expect(h.task('next').output).toEqual({ got: null, why: 'broken' });
      expect(h.run.status).toBe('completed');
    }
  });

  it('retries before it routes', () => {
    const h = new RunHarness(
      workflowOf(
        [
          agent('a', { onError: 'route', retry: { maxRetries: 1, initialDelayMs: 5 } }),
          transform('h', { x: '1' }),
        ],
        [['a', 'h', 'error']],
      ),
    );
    h.start();
    h.fail('a', timeout);
    expect(h.status('h')).toBeUndefined();
    h.fireTimer('a');
    h.fail('a', timeout);
    expect(h.status('h')).toBe('succeeded');
  });
});
