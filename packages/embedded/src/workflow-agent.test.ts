import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, DefinitionError, type AgentDefinitionInput } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaton, type AgentFunction, type AgentRegistration, type Baton } from './create-baton.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

const priced = (id: string, costPerExecution: number, overrides: Partial<AgentDefinitionInput> = {}) =>
  functionAgent(id, {
    performance: { avgLatency: 1, successRate: 100, throughput: 1000, costPerExecution, reliability: 100 },
    ...overrides,
  });

const workflowAgent = (id: string, settings: unknown, overrides: Partial<AgentDefinitionInput> = {}) =>
  functionAgent(id, { kind: 'workflow', settings: settings as Record<string, unknown>, ...overrides });

/** The saved workflow: two function-agent steps, `upper` then `greet`. */
const enrich = {
  id: 'enrich',
  name: 'Enrich',
  version: '1.0.0',
  inputs: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  nodes: [
    { id: 'upper', type: 'agent', agent: { id: 't.upper' }, inputs: { name: '{{ input.name }}' } },
    {
      id: 'greet',
      type: 'agent',
      agent: { id: 't.greet' },
      inputs: { name: '{{ nodes.upper.output.name }}' },
    },
  ],
  edges: [{ from: 'upper', to: 'greet' }],
  outputs: { greeting: { value: 'nodes.greet.output.greeting' } },
};

/** A workflow whose one agent node calls `agent` with the run's `name`. */
const caller = (id: string, agent: string, retry?: Record<string, unknown>) => ({
  id,
  name: id,
  version: '1.0.0',
  nodes: [
    {
      id: 'enrich',
      type: 'agent',
      agent: { id: agent },
      inputs: { name: '{{ input.name }}' },
      ...(retry ? { retry } : {}),
    },
  ],
  outputs: { result: { value: 'nodes.enrich.output' } },
});

/** Runs itself through the `t.self` workflow agent; retries would not help, and are not made. */
const selfCaller = caller('self', 't.self', { maxRetries: 2, initialDelayMs: 1 });

const upper: AgentFunction = (input) => ({ name: String(input['name']).toUpperCase() });
const greet: AgentFunction = (input) => ({ greeting: `Hello ${String(input['name'])}` });

describe('workflow agents', () => {
  let baton: Baton;
  let dispose: () => Promise<void>;
  let greetFailures: AgentError[] = [];

  beforeAll(async () => {
    ({ baton, dispose } = await tempBaton({
      agents: [
        { definition: priced('t.upper', 0.25), handler: upper },
        {
          definition: priced('t.greet', 0.5),
          handler: (input, ctx) => {
            const failure = greetFailures.shift();
            if (failure) throw failure;
            if (input['name'] === 'BLOCK') {
              return new Promise((_resolve, reject) => {
                ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
              });
            }
            return greet(input, ctx);
          },
        },
        workflowAgent('t.enrich', { workflow: { id: 'enrich' } }),
        workflowAgent('t.enrich-pinned', { workflow: { id: 'enrich', version: '1.0.0' } }),
        workflowAgent('t.call-a', { workflow: { id: 'cycle-a' } }),
        workflowAgent('t.call-b', { workflow: { id: 'cycle-b' } }),
        workflowAgent('t.self', { workflow: { id: 'self' } }),
      ],
    }));
    await baton.saveWorkflow(enrich);
    await baton.saveWorkflow(caller('cycle-a', 't.call-b'));
    await baton.saveWorkflow(caller('cycle-b', 't.call-a'));
    await baton.saveWorkflow(selfCaller);
  });
  afterAll(async () => {
    await dispose();
  });

  const taskOf = async (runId: string) =>
    (await baton.getRun(runId))?.tasks.find((t) => t.nodeId === 'enrich');

  it('runs the saved workflow as a child run: its outputs, its cost and its steps as progress', async () => {
    const run = await baton.run(caller('main', 't.enrich'), { name: 'ada' });
    expect(run.status, run.error?.message).toBe('completed');
    expect(run.output).toEqual({ result: { greeting: 'Hello ADA' } });
    expect(run.costUsd).toBe(0.75);

    const childId = `${run.id}:enrich:1`;
    const child = await baton.getRun(childId);
    expect(child?.run).toMatchObject({
      status: 'completed',
      workflowId: 'enrich',
      workflowVersion: '1.0.0',
      input: { name: 'ada' },
      costUsd: 0.75,
      labels: { 'baton.parent-run': run.id, 'baton.parent-task': 'enrich' },
    });
    expect(child?.run.parent).toBeUndefined();
    expect((await taskOf(run.id))?.costUsd).toBe(0.75);

    const progress = (await baton.readEvents(run.id)).filter((e) => e.type === 'task.progress');
    expect(progress.map((e) => e.message)).toEqual([
      `started run ${childId} of workflow enrich@1.0.0`,
      `upper succeeded in run ${childId}`,
      `greet succeeded in run ${childId}`,
    ]);
    expect(progress[2]).toMatchObject({ data: { childRunId: childId, nodeId: 'greet', costUsd: 0.5 } });
  });

  it('runs the pinned version when settings name one', async () => {
    const run = await baton.run(caller('pinned', 't.enrich-pinned'), { name: 'bo' });
    expect(run.output).toEqual({ result: { greeting: 'Hello BO' } });
  });

  it('refuses input that breaks the workflow inputs schema, naming the problems, without a child run', async () => {
    const run = await baton.run(caller('bad-input', 't.enrich', { maxRetries: 2, initialDelayMs: 1 }), {
      name: 42,
    });
    expect(run.status).toBe('failed');
    const task = await taskOf(run.id);
    expect(task?.attempt).toBe(1);
    expect(task?.error).toMatchObject({ code: 'DEFINITION_INVALID', retryable: false });
    expect(task?.error?.message).toContain('workflow agent t.enrich@1.0.0: the input of workflow "enrich"');
    expect(task?.error?.message).toContain('name');
    expect(await baton.getRun(`${run.id}:enrich:1`)).toBeUndefined();
  });

  it('fails the task when the child fails, retrying it with a new child only for a retryable error', async () => {
    greetFailures = [new AgentError('upstream busy', { retryable: true })];
    const retried = await baton.run(caller('retried', 't.enrich', { maxRetries: 1, initialDelayMs: 1 }), {
      name: 'cy',
    });
    expect(retried.status, retried.error?.message).toBe('completed');
    expect((await baton.getRun(`${retried.id}:enrich:1`))?.run.status).toBe('failed');
    expect((await baton.getRun(`${retried.id}:enrich:2`))?.run.status).toBe('completed');

    greetFailures = [new AgentError('bad request', { retryable: false })];
    const failed = await baton.run(caller('failed', 't.enrich', { maxRetries: 3, initialDelayMs: 1 }), {
      name: 'di',
    });
    expect(failed.status).toBe('failed');
    const task = await taskOf(failed.id);
    expect(task?.attempt).toBe(1);
    expect(task?.error).toMatchObject({
      code: 'AGENT_FAILED',
      retryable: false,
      details: { childRunId: `${failed.id}:enrich:1`, status: 'failed' },
    });
    expect(task?.error?.message).toContain('bad request');
  });

  it('cancels the child run when the parent run is cancelled', async () => {
    const run = await baton.startRun(caller('cancelled', 't.enrich'), { name: 'block' });
    const childId = `${run.id}:enrich:1`;
    await expect
      .poll(async () => (await baton.getRun(childId))?.tasks.find((t) => t.nodeId === 'greet')?.status)
      .toBe('running');
    await baton.cancel(run.id, 'tester', 'changed my mind');
    expect((await baton.waitForRun(run.id)).status).toBe('cancelled');
    const child = await baton.waitForRun(childId);
    expect(child.status).toBe('cancelled');
  });

  it('refuses a workflow agent that would run the workflow it runs in', async () => {
    const run = await baton.run(selfCaller, { name: 'x' });
    expect(run.status).toBe('failed');
    const task = await taskOf(run.id);
    expect(task?.attempt).toBe(1);
    expect(task?.error).toMatchObject({
      code: 'WORKFLOW_CYCLE',
      retryable: false,
      details: { chain: ['self', 'self'] },
    });
    expect(await baton.getRun(`${run.id}:enrich:1`)).toBeUndefined();
  });

  it('refuses the cycle through nested workflow agents too', async () => {
    const run = await baton.run(caller('cycle-a', 't.call-b'), { name: 'x' });
    expect(run.status).toBe('failed');
    // cycle-a → t.call-b runs cycle-b → t.call-a would run cycle-a again: refused inside the child.
    const inner = await taskOf(`${run.id}:enrich:1`);
    expect(inner?.error).toMatchObject({
      code: 'WORKFLOW_CYCLE',
      retryable: false,
      details: { chain: ['cycle-a', 'cycle-b', 'cycle-a'] },
    });
    expect(await baton.getRun(`${run.id}:enrich:1:enrich:1`)).toBeUndefined();
    expect((await taskOf(run.id))?.error).toMatchObject({ code: 'AGENT_FAILED', retryable: false });
  });

  it('refuses a definition whose settings do not name a workflow when it is registered', () => {
    expect(() => baton.registerAgent(workflowAgent('t.nameless', {}))).toThrow(DefinitionError);
    expect(() => baton.registerAgent(workflowAgent('t.nameless', { workflow: { version: '1' } }))).toThrow(
      /settings\.workflow\.id: is required; settings\.workflow\.version: must be a semantic version/,
    );
    expect(baton.catalog.resolve({ id: 't.nameless' })).toBeUndefined();
  });
});

describe('workflow agents across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-workflow-agent-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const agents = (greetHandler: AgentFunction, upperCalls: string[]): AgentRegistration[] => [
    {
      definition: priced('t.upper', 0.25),
      handler: (input, ctx) => {
        upperCalls.push(ctx.runId);
        return upper(input, ctx);
      },
    },
    { definition: priced('t.greet', 0.5), handler: greetHandler },
    workflowAgent(
      't.enrich',
      { workflow: { id: 'enrich' } },
      {
        config: {
          maxConcurrency: 10,
          timeout: 30_000,
          retryPolicy: { maxRetries: 0, backoff: 'exponential' },
        },
      },
    ),
  ];

  it('lets the recovered attempt wait for the child run the first process started', async () => {
    const upperCalls: string[] = [];
    const first = await createBaton({
      dataDir,
      agents: agents(
        (_input, ctx) =>
          new Promise((_resolve, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))),
          ),
        upperCalls,
      ),
    });
    await first.saveWorkflow(enrich);
    const run = await first.startRun(caller('main', 't.enrich'), { name: 'eve' });
    const childId = `${run.id}:enrich:1`;
    await expect
      .poll(async () => (await first.getRun(childId))?.tasks.find((t) => t.nodeId === 'greet')?.status)
      .toBe('running');
    // Closing aborts the parent task, yet leaves its child to be recovered with it.
    await first.close();

    const second = await createBaton({ dataDir, agents: agents(greet, upperCalls) });
    try {
      const done = await second.waitForRun(run.id);
      expect(done.status, done.error?.message).toBe('completed');
      expect(done.output).toEqual({ result: { greeting: 'Hello EVE' } });
      expect(done.costUsd).toBe(0.75);
      expect((await second.listRuns()).map((r) => r.id).sort()).toEqual([run.id, childId].sort());
      expect(upperCalls).toEqual([childId]);
      const task = (await second.getRun(run.id))?.tasks.find((t) => t.nodeId === 'enrich');
      expect(task?.attempt).toBe(1);
    } finally {
      await second.close();
    }
  });
});
