import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, FORKED_FROM_LABEL } from '@baton/core';
import { createBaton, type AgentRegistration, type Baton } from './create-baton.js';
import { functionAgent } from './testing/temp-baton.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two Batons on one data directory, as two processes sharing a store would be. */
async function twoProcesses(agents: AgentRegistration[]): Promise<{ driver: Baton; operator: Baton }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-controls-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const driver = await createBaton({ dataDir, agents });
  cleanups.push(() => driver.close());
  const operator = await createBaton({ dataDir, agents });
  cleanups.push(() => operator.close());
  return { driver, operator };
}

/** An agent whose calls wait until the test lets them go. */
function gatedAgent(id: string) {
  const calls: Record<string, unknown>[] = [];
  let open!: () => void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const registration: AgentRegistration = {
    definition: functionAgent(id),
    handler: async (input) => {
      calls.push({ ...input });
      await gate;
      return { seen: input };
    },
  };
  return {
    registration,
    calls,
    release: () => {
      open();
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
}

const chain = {
  id: 'controlled',
  name: 'Controlled',
  version: '1.0.0',
  variables: { limit: { default: 1 } },
  nodes: [
    { id: 'first', type: 'agent', agent: { id: 't.gated' } },
    {
      id: 'second',
      type: 'agent',
      agent: { id: 't.gated' },
      inputs: { limit: '{{ vars.limit }}', tone: 'plain' },
    },
  ],
  edges: [{ from: 'first', to: 'second' }],
  outputs: { second: { value: 'nodes.second.output.seen' } },
};

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('operator controls across processes sharing a store', () => {
  it('pauses a run another process drives, edits it while paused, and resumes it there', async () => {
    const gated = gatedAgent('t.gated');
    const { driver, operator } = await twoProcesses([gated.registration]);
    const run = await driver.startRun(chain);
    await until(() => gated.calls.length === 1);

    const sent = Date.now();
    await operator.pause(run.id, 'ana', 'checking the limit');
    const noticedMs = Date.now() - sent;
    // Applied by the driving process, committed before `pause` resolved.
    expect((await operator.getRun(run.id))?.run.status).toBe('paused');
    expect(noticedMs).toBeLessThan(5_000);

    // While paused, the run refuses nothing it allows: the in-flight task finishes and the next waits, ready.
    gated.release();
    await until(
      async () => (await driver.getRun(run.id))?.tasks.find((t) => t.key === 'second')?.status === 'ready',
    );
    await operator.setVars(run.id, { limit: 5 }, { by: 'ana', reason: 'bigger batch' });
    await operator.editTaskInput(run.id, 'second', { tone: 'formal' }, { by: 'ana' });
    await operator.resume(run.id, 'ana');
    await until(() => gated.calls.length === 2);
    expect(gated.calls[1]).toEqual({ limit: 5, tone: 'formal' });
    gated.release();
    const done = await driver.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ second: { limit: 5, tone: 'formal' } });

    const audit = (await operator.readEvents(run.id)).filter((e) => e.type === 'operator.acted');
    expect(audit.map((e) => [e.command, e.by])).toEqual([
      ['pause', 'ana'],
      ['vars.set', 'ana'],
      ['task.edit-input', 'ana'],
      ['resume', 'ana'],
    ]);
    expect(audit[0]).toMatchObject({ reason: 'checking the limit' });
  });

  it('refuses a control the run cannot take, with the reason, and changes nothing', async () => {
    const gated = gatedAgent('t.gated');
    const { driver, operator } = await twoProcesses([gated.registration]);
    const run = await driver.startRun(chain);
    await until(() => gated.calls.length === 1);
    const refused = operator.setVars(run.id, { limit: 9 });
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(/pause the run before editing its variables/);
    await expect(driver.resume(run.id)).rejects.toThrow(/not paused/);
    gated.release();
    await until(() => gated.calls.length === 2);
    gated.release();
    const done = await driver.waitForRun(run.id);
    expect(done.error).toBeUndefined();
    expect(done.vars).toEqual({ limit: 1 });
    await expect(operator.cancel(run.id)).rejects.toThrow(/completed/);
  });

  it('steps a step-through run from another process, one task at a time', async () => {
    const gated = gatedAgent('t.gated');
    const { driver, operator } = await twoProcesses([gated.registration]);
    gated.release();
    const run = await driver.startRun(chain, {}, { stepThrough: true });
    await until(async () => (await driver.readEvents(run.id)).some((e) => e.type === 'task.held'));
    expect(gated.calls).toEqual([]);
    await operator.step(run.id, 'ana');
    await until(() => gated.calls.length === 1);
    gated.release();
    await until(
      async () => (await driver.readEvents(run.id)).filter((e) => e.type === 'task.held').length === 2,
    );
    expect(gated.calls.length).toBe(1);
    await operator.step(run.id, 'ana');
    gated.release();
    expect((await driver.waitForRun(run.id)).status).toBe('completed');
  });
});

describe('forks', () => {
  it('reuses the outputs upstream of the fork node and runs it and what follows anew', async () => {
    const calls: string[] = [];
    const step = (name: string): AgentRegistration => ({
      definition: functionAgent(`t.${name}`),
      handler: (input) => {
        calls.push(name);
        return { name, input };
      },
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-fork-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const baton = await createBaton({ dataDir, agents: [step('fetch'), step('draft'), step('send')] });
    cleanups.push(() => baton.close());
    const workflow = {
      id: 'pipeline',
      name: 'Pipeline',
      version: '1.0.0',
      nodes: [
        { id: 'fetch', type: 'agent', agent: { id: 't.fetch' } },
        { id: 'draft', type: 'agent', agent: { id: 't.draft' }, inputs: { tone: '{{ input.tone }}' } },
        { id: 'send', type: 'agent', agent: { id: 't.send' } },
      ],
      edges: [
        { from: 'fetch', to: 'draft' },
        { from: 'draft', to: 'send' },
      ],
      outputs: { draft: { value: 'nodes.draft.output.input' } },
    };
    const original = await baton.run(workflow, { tone: 'plain' });
    expect(calls).toEqual(['fetch', 'draft', 'send']);

    const fork = await baton.fork(original.id, { from: 'draft', input: { tone: 'warm' } });
    const done = await baton.waitForRun(fork.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ draft: { tone: 'warm' } });
    expect(calls).toEqual(['fetch', 'draft', 'send', 'draft', 'send']);
    expect(done.labels?.[FORKED_FROM_LABEL]).toBe(original.id);
    const events = await baton.readEvents(fork.id);
    expect(events.find((e) => e.type === 'task.progress')).toMatchObject({
      taskKey: 'fetch',
      message: `reused the output of run ${original.id}`,
    });
    // The reused step cost nothing again.
    const fetch = (await baton.getRun(fork.id))?.tasks.find((t) => t.key === 'fetch');
    expect(fetch).toMatchObject({ status: 'succeeded', costUsd: 0, output: { name: 'fetch', input: {} } });
    await expect(baton.fork(original.id, { from: 'nope' })).rejects.toThrow(/no node "nope"/);
  });
});
