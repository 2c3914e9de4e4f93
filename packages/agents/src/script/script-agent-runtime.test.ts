import { AgentError, CancelledError, DefinitionError, TimeoutError, type AgentDefinition } from '@baton/core';
import { afterAll, describe, expect, it } from 'vitest';
import { definition, invocation, rejection } from '../samples.test.fixtures.js';
import { ScriptAgentRuntime } from './script-agent-runtime.js';

const scriptAgent = (source: string, settings: Record<string, unknown> = {}): AgentDefinition => ({
  ...definition('builtin.summarizer'),
  id: 'acme.score',
  version: '2.1.0',
  kind: 'script',
  settings: { source, ...settings },
});

describe('ScriptAgentRuntime', () => {
  const runtime = new ScriptAgentRuntime();
  afterAll(() => runtime.close());

  const run = async (source: string, input: Record<string, unknown> = {}, settings = {}): Promise<unknown> =>
    (await runtime.invoke(invocation(scriptAgent(source, settings), input))).output;
  const failure = async (source: string, settings = {}): Promise<AgentError> => {
    const error = await rejection(runtime.invoke(invocation(scriptAgent(source, settings), {})));
    expect(error).toBeInstanceOf(AgentError);
    return error as AgentError;
  };

  it('supports script agents only', () => {
    expect(runtime.supports(scriptAgent('export default () => 1'))).toBe(true);
    expect(runtime.supports({ ...scriptAgent('export default () => 1'), kind: 'http' })).toBe(false);
  });

  it('calls the default export with the input and context, and returns its JSON result with the cost', async () => {
    const agent = scriptAgent(`
      export default function run(input, context) {
        return { total: input.items.reduce((sum, item) => sum + item.price, 0), context };
      }`);
    const result = await runtime.invoke(
      invocation(
        agent,
        { items: [{ price: 2 }, { price: 3.5 }] },
        { runId: 'r9', taskKey: 'sum', attempt: 2 },
      ),
    );
    expect(result).toEqual({
      output: {
        total: 5.5,
        context: {
          runId: 'r9',
          taskKey: 'sum',
          attempt: 2,
          idempotencyKey: 'r9:sum:2',
          agent: { id: 'acme.score', version: '2.1.0' },
        },
      },
      costUsd: agent.performance.costPerExecution,
    });
  });

  it('awaits an async entry and top-level await', async () => {
    expect(
      await run(
        `
        const base = await Promise.resolve(40);
        export default async (input) => { await null; return base + input.n; }`,
        { n: 2 },
      ),
    ).toBe(42);
  });

  it('returns every kind of JSON value, and leaves undefined properties out', async () => {
    expect(await run('export default () => null')).toBeNull();
    expect(await run('export default () => "text"')).toBe('text');
    expect(
      await run(
        'export default () => ({ a: [1, true, "x", null, { b: -0 }], gone: undefined, n: Object.create(null) })',
      ),
    ).toEqual({ a: [1, true, 'x', null, { b: 0 }], n: {} });
  });

  it('reports console lines through progress, in order, with their level', async () => {
    const lines: [string, unknown][] = [];
    const call = invocation(
      scriptAgent(`
        export default (input) => {
          console.log('scoring', input.name, { n: 1 });
          console.warn('slow');
          console.error(new Error('bad').message);
          return 1;
        }`),
      { name: 'Ada' },
    );
    await runtime.invoke({ ...call, progress: (message, data) => lines.push([message, data]) });
    expect(lines).toEqual([
      ['scoring Ada {"n":1}', { log: 'info' }],
      ['slow', { log: 'warn' }],
      ['bad', { log: 'error' }],
    ]);
  });

  it('caps the number and the length of console lines', async () => {
    const lines: string[] = [];
    const small = new ScriptAgentRuntime({ maxLogLines: 3, maxLogLineChars: 10 });
    try {
      const call = invocation(
        scriptAgent(
          `export default () => { for (let i = 0; i < 50; i++) console.log('line ' + i + ' ' + 'x'.repeat(20)); return 0; }`,
        ),
        {},
      );
      await small.invoke({ ...call, progress: (message) => lines.push(message) });
    } finally {
      await small.close();
    }
    expect(lines).toEqual([
      'line 0 xxx…',
      'line 1 xxx…',
      'line 2 xxx…',
      '[log limit of 3 lines reached; later lines are dropped]',
    ]);
  });

  it('fails without retry when the script throws, with its message and place', async () => {
    const error = await failure(`export default (input) => {\n  return input.missing.field;\n}`);
    expect(error).toMatchObject({ retryable: false, details: { failure: 'threw' } });
    expect(error.message).toMatch(
      /^script agent acme\.score@2\.1\.0 threw TypeError: cannot read property 'field' of undefined \(at .*script\.js:2/,
    );
    const thrown = await failure('export default () => { throw "plain string" }');
    expect(thrown.message).toContain('threw plain string');
  });

  it('fails without retry on a syntax error or a missing default export', async () => {
    expect(await failure('export default ( =>')).toMatchObject({
      retryable: false,
      details: { failure: 'threw' },
    });
    const missing = await failure('export function run() { return 1 }');
    expect(missing).toMatchObject({ retryable: false, details: { failure: 'entry' } });
    expect(missing.message).toContain('must export its entry as the default export');
  });

  it.each([
    ['a function', 'export default () => ({ f() {} })', 'output.f is a function'],
    ['a Date', 'export default () => ({ at: new Date(0) })', 'output.at is a Date object'],
    ['a Map', 'export default () => [new Map()]', 'output[0] is a Map object'],
    [
      'a class instance',
      'class Lead {}; export default () => ({ lead: new Lead() })',
      'output.lead is a Lead object',
    ],
    ['NaN', 'export default () => ({ "odd key": NaN })', 'output["odd key"] is NaN'],
    ['Infinity', 'export default () => [Infinity]', 'output[0] is Infinity'],
    ['a bigint', 'export default () => ({ n: 10n })', 'output.n is a bigint'],
    ['a symbol', 'export default () => ({ s: Symbol("x") })', 'output.s is a symbol'],
    ['undefined', 'export default () => undefined', 'output is undefined'],
    ['undefined in a list', 'export default () => [1, undefined]', 'output[1] is undefined'],
    ['a hole', 'export default () => [1, , 3]', 'output[1] is a hole'],
    [
      'a cycle',
      'export default () => { const a = { }; a.self = a; return a }',
      'output.self refers back to itself',
    ],
    ['a getter', 'export default () => ({ get x() { return 1 } })', 'output.x is a getter'],
    [
      'too deep',
      'export default () => { let v = 1; for (let i = 0; i < 300; i++) v = [v]; return v }',
      'nested more than 200',
    ],
  ])('refuses output holding %s, with the path to it', async (_what, source, message) => {
    const error = await failure(source);
    expect(error).toMatchObject({ retryable: false, details: { failure: 'output' } });
    expect(error.message).toContain('returned output that is not plain JSON data');
    expect(error.message).toContain(message);
  });

  it('refuses invalid settings with a DefinitionError', async () => {
    for (const [settings, message] of [
      [{ source: '' }, 'settings.source: must hold the script'],
      [{ source: 'x', memoryLimitMb: 0 }, 'settings.memoryLimitMb'],
      [{ source: 'x', timeLimitMs: 600_000 }, 'settings.timeLimitMs'],
      [{ source: 'x', timeLimitMs: 1.5 }, 'settings.timeLimitMs: must be a whole number'],
      [{ source: 'x', sourc: 'typo' }, 'settings.sourc: unknown field'],
    ] as const) {
      const error = await rejection(runtime.invoke(invocation({ ...scriptAgent(''), settings }, {})));
      expect(error, message).toBeInstanceOf(DefinitionError);
      expect((error as Error).message, message).toContain(message);
    }
  });

  it('stops at the invocation deadline and rejects with its reason', async () => {
    const forever = scriptAgent('export default () => { while (true) {} }', { timeLimitMs: 30_000 });
    const started = Date.now();
    const error = await rejection(
      runtime.invoke(invocation(forever, {}, { signal: AbortSignal.timeout(200) })),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await run('export default () => "still fine"')).toBe('still fine');
  });

  it('queues attempts beyond maxWorkers; one aborted while waiting never runs', async () => {
    const single = new ScriptAgentRuntime({ maxWorkers: 1 });
    try {
      const busy = scriptAgent(
        'export default (i) => { const end = Date.now() + 150; while (Date.now() < end) {} return i.n }',
      );
      const ran: string[] = [];
      const first = single.invoke(invocation(busy, { n: 1 }));
      const controller = new AbortController();
      const waiting = single.invoke({
        ...invocation(
          scriptAgent('export default () => { console.log("ran"); return 2 }'),
          {},
          {
            signal: controller.signal,
          },
        ),
        progress: (message) => ran.push(message),
      });
      const third = single.invoke(invocation(busy, { n: 3 }));
      controller.abort(new CancelledError('skipped'));
      expect(await rejection(waiting)).toBeInstanceOf(CancelledError);
      expect((await first).output).toBe(1);
      expect((await third).output).toBe(3);
      expect(ran).toEqual([]);
    } finally {
      await single.close();
    }
  });

  it('rejects attempts still running when closed, and later ones at once', async () => {
    const closing = new ScriptAgentRuntime({ maxWorkers: 1 });
    const running = closing.invoke(
      invocation(scriptAgent('export default () => { for (;;) {} }', { timeLimitMs: 30_000 }), {}),
    );
    const stopped = rejection(running);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await closing.close();
    expect(await stopped).toBeInstanceOf(CancelledError);
    expect(
      await rejection(closing.invoke(invocation(scriptAgent('export default () => 1'), {}))),
    ).toBeInstanceOf(CancelledError);
  });

  it('stops a running script when the run is cancelled', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const call = invocation(
      scriptAgent('export default () => { console.log("busy"); while (true) {} }', { timeLimitMs: 30_000 }),
      {},
      { signal: controller.signal },
    );
    const pending = runtime.invoke({
      ...call,
      progress: (message) => {
        lines.push(message);
        controller.abort(new CancelledError('run cancelled'));
      },
    });
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(CancelledError);
    expect(lines).toEqual(['busy']);
    expect(await run('export default () => 1')).toBe(1);
  });
});
