import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError, DefinitionError, isBatonError } from '@baton/core';
import type { Baton } from './create-baton.js';
import { MODES, useDistributedServices } from './testing/distributed-services.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

const flow = (nodes: unknown[], edges: unknown[] = [], extra: Record<string, unknown> = {}): unknown => ({
  id: 'test-flow',
  name: 'Test flow',
  version: '1.0.0',
  nodes,
  edges,
  ...extra,
});

// Distributed: PostgreSQL, Redis, and agent tasks through the outbox to a worker (in this process, since the
// function agents' code lives in the test).
describe.each(MODES)('the engine, %s', (mode) => {
  let baton: Baton;
  let dispose: () => Promise<void>;
  const services = mode === 'distributed' ? useDistributedServices() : undefined;
  beforeEach(async () => {
    const settings = services && { ...(await services.fresh()), worker: {} };
    ({ baton, dispose } = await tempBaton(settings ?? {}));
  });
  afterEach(async () => dispose());

  it('refuses an invalid workflow before a run exists', async () => {
    const broken = flow([{ id: 'a', type: 'transform', set: { x: 'nodes.nope.output' } }]);
    await expect(baton.startRun(broken)).rejects.toBeInstanceOf(DefinitionError);
    expect(await baton.listRuns()).toHaveLength(0);
  });

  it('refuses input that does not match the workflow inputs schema', async () => {
    const wf = flow([{ id: 'a', type: 'transform', set: { x: 'input.n * 2' } }], [], {
      inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
    });
    const error: unknown = await baton.startRun(wf, { n: 'seven' }).catch((e: unknown) => e);
    expect(isBatonError(error, 'DEFINITION_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/\/n must be integer/);
    expect(await baton.listRuns()).toHaveLength(0);
  });

  it('freezes a parsed workflow, so what was validated is what runs', async () => {
    const wf = baton.parseWorkflow(flow([{ id: 'a', type: 'transform', set: { x: '1' } }]));
    expect(() => wf.nodes.push({ id: 'b', type: 'transform', set: {} } as never)).toThrow(TypeError);
    expect((await baton.run(wf)).status).toBe('completed');
    expect((await baton.run(wf)).status).toBe('completed');
  });

  it('passes outputs from agent to agent and computes the workflow outputs', async () => {
    baton.registerAgent(functionAgent('t.double'), (input) => ({ value: Number(input['value']) * 2 }));
    const wf = flow(
      [
        { id: 'a', type: 'agent', agent: { id: 't.double' }, inputs: { value: '{{ input.n }}' } },
        {
          id: 'b',
          type: 'agent',
          agent: { id: 't.double' },
          inputs: { value: '{{ nodes.a.output.value }}' },
        },
      ],
      [{ from: 'a', to: 'b' }],
      { outputs: { result: { value: 'nodes.b.output.value' } } },
    );
    const run = await baton.run(wf, { n: 5 });
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({ result: 20 });
    expect(run.costUsd).toBeCloseTo(0.002, 6);
  });

  it('runs independent tasks at the same time', async () => {
    const spans: Record<string, [number, number]> = {};
    baton.registerAgent(functionAgent('t.slow'), async (input) => {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 60));
      spans[String(input['name'])] = [start, Date.now()];
      return {};
    });
    const wf = flow([
      { id: 'x', type: 'agent', agent: { id: 't.slow' }, inputs: { name: 'x' } },
      { id: 'y', type: 'agent', agent: { id: 't.slow' }, inputs: { name: 'y' } },
    ]);
    expect((await baton.run(wf)).status).toBe('completed');
    const [x, y] = [spans['x'], spans['y']];
    expect(x && y && x[0] < y[1] && y[0] < x[1]).toBe(true);
  });

  it('retries a failing step and gives the agent a new idempotency key per attempt', async () => {
    const keys: string[] = [];
    baton.registerAgent(functionAgent('t.flaky'), (_input, ctx) => {
      keys.push(ctx.idempotencyKey);
      if (ctx.attempt < 3) throw new AgentError('try again');
      return { ok: true };
    });
    const wf = flow([
      {
        id: 'f',
        type: 'agent',
        agent: { id: 't.flaky' },
        retry: { maxRetries: 3, backoff: 'fixed', initialDelayMs: 5, jitter: 0 },
      },
    ]);
    const run = await baton.run(wf);
    expect(run.status).toBe('completed');
    expect(keys).toEqual([`${run.id}:f:1`, `${run.id}:f:2`, `${run.id}:f:3`]);
  });

  it('fails a task whose output breaks the agent outputSchema, with a clear error', async () => {
    baton.registerAgent(
      functionAgent('t.liar', {
        outputSchema: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
      }),
      () => ({ count: 'many' }),
    );
    const run = await baton.run(flow([{ id: 'l', type: 'agent', agent: { id: 't.liar' } }]));
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/outputSchema: \/count must be integer/);
  });

  it('times out a step through its signal and fails the run', async () => {
    let aborted = false;
    baton.registerAgent(functionAgent('t.stuck'), (_input, ctx) => {
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          reject(ctx.signal.reason as Error);
        });
      });
    });
    const wf = flow([
      { id: 's', type: 'agent', agent: { id: 't.stuck' }, timeoutMs: 30, retry: { maxRetries: 0 } },
    ]);
    const run = await baton.run(wf);
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('TIMEOUT');
    expect(aborted).toBe(true);
  });

  it('fails a task whose capability query matches no agent, naming what was asked', async () => {
    const wf = flow([{ id: 'q', type: 'agent', select: { skills: ['time_travel'] } }]);
    const run = await baton.run(wf);
    expect(run.status).toBe('failed');
    expect(run.error?.message).toMatch(/no agent offers time_travel/);
  });

  it('parks a run at an approval and resumes it on the decision', async () => {
    const wf = flow(
      [
        { id: 'ask', type: 'approval', assignee: 'role:manager', message: 'Ship {{ input.what }}?' },
        { id: 'done', type: 'transform', set: { shipped: 'true' } },
      ],
      [{ from: 'ask', to: 'done', port: 'approved' }],
    );
    const run = await baton.startRun(wf, { what: 'v2' });
    const requested = await new Promise<string>((resolve) => {
      const stop = baton.subscribe(run.id, (e) => {
        if (e.type === 'approval.requested') {
          stop();
          resolve(e.message);
        }
      });
    });
    expect(requested).toBe('Ship v2?');
    expect((await baton.getRun(run.id))?.run.status).toBe('waiting');
    await expect(baton.decide(run.id, 'ask', 'maybe', 'ann')).rejects.toThrow(/not a decision/);
    await baton.decide(run.id, 'ask', 'approved', 'ann');
    const done = await baton.waitForRun(run.id);
    expect(done.status).toBe('completed');
  });

  it('cancels a run and aborts its running task', async () => {
    let aborted = false;
    let running: () => void = () => undefined;
    const agentRunning = new Promise<void>((resolve) => (running = resolve));
    baton.registerAgent(functionAgent('t.long'), (_input, ctx) => {
      running();
      return new Promise((_resolve, reject) =>
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('stopped'));
        }),
      );
    });
    const run = await baton.startRun(flow([{ id: 'l', type: 'agent', agent: { id: 't.long' } }]));
    // The agent itself is running (on a worker, `task.started` only means it was dispatched).
    await agentRunning;
    await baton.cancel(run.id, 'ops', 'not needed');
    const done = await baton.waitForRun(run.id);
    expect(done.status).toBe('cancelled');
    await expect.poll(() => aborted, { timeout: 2_000 }).toBe(true);
  });

  it('runs a saved workflow as a subworkflow and passes its outputs up', async () => {
    await baton.saveWorkflow({
      id: 'child',
      name: 'Child',
      version: '1.0.0',
      nodes: [{ id: 'square', type: 'transform', set: { value: 'input.n * input.n' } }],
      outputs: { value: { value: 'nodes.square.output.value' } },
    });
    const parent = flow(
      [
        {
          id: 'sub',
          type: 'subworkflow',
          workflow: { id: 'child', version: '1.0.0' },
          inputs: { n: '{{ input.n }}' },
        },
        { id: 'plus', type: 'transform', set: { value: 'nodes.sub.output.value + 1' } },
      ],
      [{ from: 'sub', to: 'plus' }],
      { outputs: { value: { value: 'nodes.plus.output.value' } } },
    );
    const run = await baton.run(parent, { n: 7 });
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({ value: 50 });
    const children = (await baton.listRuns()).filter((r) => r.parent?.runId === run.id);
    expect(children).toHaveLength(1);
    expect(children[0]?.status).toBe('completed');
  });

  it('refuses a changed workflow under a version that is already saved', async () => {
    await baton.run(flow([{ id: 'a', type: 'transform', set: { x: '1' } }]));
    const changed = flow([{ id: 'a', type: 'transform', set: { x: '2' } }]);
    await expect(baton.startRun(changed)).rejects.toThrow(
      /already saved with other content; give the changed/,
    );
    const bumped = { ...(changed as object), version: '1.0.1' };
    expect((await baton.run(bumped)).output).toEqual({});
  });

  it('keeps the event log in order and readable after the run', async () => {
    const run = await baton.run(flow([{ id: 'a', type: 'transform', set: { x: '1 + 1' } }]));
    const events = await baton.readEvents(run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('run.created');
    expect(events.at(-1)?.type).toBe('run.completed');
  });
});
