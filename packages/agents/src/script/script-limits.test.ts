import { AgentError } from '@baton/core';
import { afterAll, describe, expect, it } from 'vitest';
import { definition, invocation, rejection } from '../samples.test.fixtures.js';
import { ScriptAgentRuntime } from './script-agent-runtime.js';

const scriptAgent = (source: string, settings: Record<string, unknown> = {}) => ({
  ...definition('builtin.summarizer'),
  id: 'acme.limits',
  version: '1.0.0',
  kind: 'script' as const,
  settings: { source, ...settings },
});

describe('ScriptAgentRuntime limits', () => {
  const runtime = new ScriptAgentRuntime({ maxWorkers: 1 });
  afterAll(() => runtime.close());

  const failure = async (source: string, settings: Record<string, unknown> = {}): Promise<AgentError> => {
    const error = await rejection(runtime.invoke(invocation(scriptAgent(source, settings), {})));
    expect(error).toBeInstanceOf(AgentError);
    return error as AgentError;
  };
  /** The host stays healthy: the next script runs and answers. */
  const stillHealthy = async (): Promise<void> => {
    const { output } = await runtime.invoke(
      invocation(scriptAgent('export default (i) => i.n * 2'), { n: 21 }),
    );
    expect(output).toBe(42);
  };

  it.each([
    ['an endless loop', 'export default () => { for (;;) {} }'],
    ['an endless loop at module level', 'for (;;) {}\nexport default () => 1'],
    ['an endless promise chain', 'export default async () => { for (;;) await null }'],
    ['a loop that catches everything', 'export default () => { for (;;) { try { for (;;) {} } catch {} } }'],
  ])('stops %s at the time limit, without retry', async (_what, source) => {
    const started = performance.now();
    const error = await failure(source, { timeLimitMs: 150 });
    expect(error).toMatchObject({ retryable: false, details: { failure: 'time' } });
    expect(error.message).toContain('ran past its time limit of 150 ms');
    expect(performance.now() - started).toBeLessThan(3_000);
    await stillHealthy();
  });

  it.each([
    [
      'a growing list',
      'export default () => { const a = []; for (;;) a.push({ n: a.length, s: "x" + a.length }) }',
    ],
    ['a huge buffer', 'export default () => new ArrayBuffer(64 * 1024 * 1024).byteLength'],
    ['a doubling string', 'export default () => { let s = "x"; for (;;) s += s }'],
    ['a linked chain', 'export default () => { let o = {}; for (;;) o = { o } }'],
  ])('stops %s at the memory limit, without retry', async (_what, source) => {
    const error = await failure(source, { memoryLimitMb: 8, timeLimitMs: 5_000 });
    expect(error).toMatchObject({ retryable: false });
    // A doubling string hits QuickJS's own length limit before the memory limit; both are stopped cleanly.
    expect(['memory', 'threw']).toContain(error.details?.['failure']);
    if (error.details?.['failure'] === 'memory')
      expect(error.message).toContain('ran out of its 8 MB memory limit');
    await stillHealthy();
  });

  it('stops a script that keeps catching out-of-memory errors, through the watchdog if need be', async () => {
    const started = performance.now();
    const error = await failure(
      'export default () => { const a = []; for (;;) { try { a.push(new Array(100000).fill(1)) } catch {} } }',
      { memoryLimitMb: 16, timeLimitMs: 300 },
    );
    expect(error).toMatchObject({ retryable: false, details: { failure: 'time' } });
    expect(performance.now() - started).toBeLessThan(5_000);
    await stillHealthy();
  });

  it('stops endless recursion at the stack limit, without retry', async () => {
    const error = await failure('const f = (n) => f(n + 1) + 1; export default () => f(0)');
    expect(error).toMatchObject({ retryable: false, details: { failure: 'stack' } });
    expect(error.message).toContain('overflowed its stack');
    await stillHealthy();
  });

  it('caps the output size inside the sandbox', async () => {
    const small = new ScriptAgentRuntime({ maxWorkers: 1, maxOutputChars: 1_000 });
    try {
      const error = await rejection(
        small.invoke(invocation(scriptAgent('export default () => ({ text: "x".repeat(5000) })'), {})),
      );
      expect(error).toMatchObject({ retryable: false, details: { failure: 'output' } });
      expect((error as Error).message).toContain('longer than 1000 characters of JSON');
    } finally {
      await small.close();
    }
  });

  it('reports a promise that can never settle', async () => {
    const error = await failure('export default () => new Promise(() => {})');
    expect(error).toMatchObject({ retryable: false, details: { failure: 'pending' } });
    expect(error.message).toContain('never settled');
  });

  it('disposes every run: 200 runs do not grow the host memory without bound', async () => {
    const agent = scriptAgent(`
      export default (input) => {
        const rows = [];
        for (let i = 0; i < 2000; i++) rows.push({ i, label: 'row ' + i + input.tag });
        console.log('rows', rows.length);
        return { count: rows.length, last: rows[rows.length - 1] };
      }`);
    const once = async (i: number): Promise<void> => {
      const { output } = await runtime.invoke(invocation(agent, { tag: `#${i}` }));
      expect(output).toEqual({ count: 2000, last: { i: 1999, label: `row 1999#${i}` } });
    };
    for (let i = 0; i < 20; i++) await once(i);
    const before = process.memoryUsage().rss;
    for (let i = 20; i < 220; i++) await once(i);
    const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
    expect(grownMb).toBeLessThan(40);
  });
});
