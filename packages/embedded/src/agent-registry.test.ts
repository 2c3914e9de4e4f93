import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  DefinitionError,
  NotFoundError,
  type AgentDefinitionInput,
  type AgentInvocation,
} from '@baton/core';
import { builtinAgentDefinitions } from '@baton/agents';
import { ManualClock } from '@baton/testing';
import { createBaton, type Baton, type CreateBatonOptions } from './create-baton.js';
import { functionAgent } from './testing/temp-baton.js';

/** A script agent: it runs from its definition alone, so a saved one works after a restart. */
const summer = (version = '1.0.0'): AgentDefinitionInput =>
  functionAgent('t.sum', {
    version,
    kind: 'script',
    settings: { source: 'export default function run(input) { return { total: input.a + input.b }; }' },
  });

const sumFlow = (version = '1.0.0') => ({
  id: `sum-v${version.replaceAll('.', '-')}`,
  name: 'Sum',
  version: '1.0.0',
  nodes: [{ id: 'sum', type: 'agent', agent: { id: 't.sum', version }, inputs: { a: 1, b: 2 } }],
  outputs: { total: { value: 'nodes.sum.output.total' } },
});

/**
 * A function agent that holds its call until released (or aborted, when the Baton closes), and says when it
 * was called: a task stays in flight exactly as long as a test needs.
 */
function gate(): {
  handler: (input: unknown, ctx: AgentInvocation) => Promise<unknown>;
  called: Promise<void>;
  release: () => void;
} {
  let called = (): void => undefined;
  let release = (): void => undefined;
  return {
    called: new Promise<void>((resolve) => (called = resolve)),
    release: () => release(),
    handler: (_input, ctx) => {
      called();
      return new Promise((resolve, reject) => {
        release = () => resolve({});
        ctx.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
      });
    },
  };
}

describe('the agent registry of a Baton', () => {
  let dataDir: string;
  const open: Baton[] = [];
  const openBaton = async (options: Omit<CreateBatonOptions, 'dataDir'> = {}): Promise<Baton> => {
    const baton = await createBaton({ ...options, dataDir });
    open.push(baton);
    return baton;
  };
  const reopen = async (baton: Baton, options: Omit<CreateBatonOptions, 'dataDir'> = {}): Promise<Baton> => {
    await baton.close();
    open.splice(open.indexOf(baton), 1);
    return openBaton(options);
  };
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'baton-registry-'));
  });
  afterEach(async () => {
    for (const baton of open.splice(0)) await baton.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps saved agents across reopening, and runs them', async () => {
    const first = await openBaton();
    const saved = await first.saveAgent(summer());
    expect(saved).toMatchObject({ id: 't.sum', version: '1.0.0', status: 'active', description: '' });
    const again = await reopen(first);
    expect(again.catalog.resolve({ id: 't.sum', version: '1.0.0' })).toEqual(saved);
    const run = await again.run(sumFlow());
    expect(run.status, run.error?.message).toBe('completed');
    expect(run.output).toEqual({ total: 3 });
    expect(await again.agentUsage()).toEqual([
      { agent: 't.sum@1.0.0', tasks: 1, runs: 1, lastUsedAt: expect.any(Number) as number },
    ]);
    expect(await again.agentExecutions('t.sum@1.0.0')).toMatchObject([
      { runId: run.id, status: 'succeeded' },
    ]);
  });

  it('stamps createdAt and updatedAt with the clock where a definition leaves them out, keeping given ones', async () => {
    const baton = await openBaton({ clock: new ManualClock(Date.parse('2026-05-01T10:00:00Z')) });
    const { createdAt: _created, updatedAt: _updated, ...bare } = summer();
    const saved = await baton.saveAgent(bare);
    expect(saved).toMatchObject({
      createdAt: '2026-05-01T10:00:00.000Z',
      updatedAt: '2026-05-01T10:00:00.000Z',
    });
    const given = await baton.saveAgent({ ...bare, version: '2.0.0', createdAt: '2026-01-01T00:00:00Z' });
    expect(given).toMatchObject({ createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-05-01T10:00:00.000Z' });
  });

  it('keeps agents registered with registerAgent in this process only', async () => {
    const first = await openBaton();
    first.registerAgent(functionAgent('t.local'), () => ({}));
    expect(first.catalog.has('t.local')).toBe(true);
    await expect(first.saveAgent(functionAgent('t.local'))).rejects.toBeInstanceOf(ConflictError);
    expect((await reopen(first)).catalog.has('t.local')).toBe(false);
  });

  it('runs a run pinned to a deprecated version, saying so in its agent.selected event', async () => {
    const baton = await openBaton();
    await baton.saveAgents([summer('1.0.0'), summer('2.0.0')]);
    const deprecated = await baton.deprecateAgent('t.sum@1.0.0', {
      replacedBy: 't.sum@2.0.0',
      at: Date.UTC(2026, 1, 1),
    });
    expect(deprecated).toMatchObject({
      status: 'deprecated',
      deprecatedAt: '2026-02-01T00:00:00.000Z',
      replacedBy: 't.sum@2.0.0',
    });
    const run = await baton.run(sumFlow('1.0.0'));
    expect(run.status, run.error?.message).toBe('completed');
    const selected = (await baton.readEvents(run.id)).find((e) => e.type === 'agent.selected');
    expect(selected).toMatchObject({
      agent: 't.sum@1.0.0',
      reason: 'pinned to deprecated t.sum@1.0.0; replaced by t.sum@2.0.0',
    });
    expect((await reopen(baton)).catalog.resolve({ id: 't.sum', version: '1.0.0' })).toEqual(deprecated);
  });

  it('never dispatches an offline agent: its task fails with NOT_FOUND naming it', async () => {
    const held = gate();
    const baton = await openBaton({
      agents: [{ definition: functionAgent('t.gate'), handler: held.handler }],
    });
    await baton.saveAgent(summer());
    const workflow = {
      ...sumFlow(),
      nodes: [{ id: 'gate', type: 'agent', agent: { id: 't.gate' } }, ...sumFlow().nodes],
      edges: [{ from: 'gate', to: 'sum' }],
    };
    const started = await baton.startRun(workflow);
    await held.called;
    await baton.setAgentStatus('t.sum@1.0.0', 'offline');
    held.release();
    const run = await baton.waitForRun(started.id);
    expect(run.status).toBe('failed');
    const sum = (await baton.getRun(run.id))?.tasks.find((t) => t.key === 'sum');
    expect(sum?.error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'agent t.sum@1.0.0 is offline and is not dispatched',
    });
  });

  it('loads saved statuses before unfinished runs resume, over the definition given in code', async () => {
    const definition = functionAgent('t.hold');
    const held = gate();
    const first = await openBaton({ agents: [{ definition, handler: held.handler }] });
    const started = await first.startRun({
      ...sumFlow(),
      nodes: [{ id: 'hold', type: 'agent', agent: { id: 't.hold', version: '1.0.0' } }],
      outputs: {},
    });
    await held.called;
    await first.setAgentStatus('t.hold@1.0.0', 'offline');
    // Given again in code with a handler that answers at once: the saved status still keeps it from running.
    const again = await reopen(first, { agents: [{ definition, handler: () => ({}) }] });
    const run = await again.waitForRun(started.id);
    expect(run.status).toBe('failed');
    const task = (await again.getRun(run.id))?.tasks.find((t) => t.key === 'hold');
    expect(task?.error?.code).toBe('NOT_FOUND');
    expect(again.catalog.resolve({ id: 't.hold', version: '1.0.0' })?.status).toBe('offline');
  });

  it("lays a built-in agent's saved lifecycle over its definition, and clears it when back in service", async () => {
    const builtin = builtinAgentDefinitions().find((a) => a.id === 'builtin.summarizer')!;
    const first = await openBaton();
    await first.deprecateAgent(
      { id: builtin.id, version: builtin.version },
      { replacedBy: 'builtin.technical-writer' },
    );
    const again = await reopen(first);
    const loaded = again.catalog.resolve({ id: builtin.id, version: builtin.version });
    expect(loaded).toEqual({
      ...builtin,
      status: 'deprecated',
      deprecatedAt: expect.any(String) as string,
      replacedBy: 'builtin.technical-writer',
    });
    await again.setAgentStatus(`${builtin.id}@${builtin.version}`, 'beta');
    const last = await reopen(again);
    expect(last.catalog.resolve({ id: builtin.id, version: builtin.version })).toEqual({
      ...builtin,
      status: 'beta',
    });
  });

  it('says what is wrong with a reference, a replacement, a status or a version defined in code', async () => {
    const baton = await openBaton();
    await baton.saveAgent(summer());
    await expect(baton.deprecateAgent('t.sum')).rejects.toThrow(
      '"t.sum@" does not name one agent version: write id@version, e.g. "acme.writer@1.2.0"',
    );
    await expect(baton.deprecateAgent('t.sum@^1.0.0')).rejects.toBeInstanceOf(DefinitionError);
    await expect(baton.setAgentStatus('t.nope@1.0.0', 'offline')).rejects.toThrow(
      'no agent t.nope@1.0.0 is registered',
    );
    await expect(baton.deprecateAgent('t.sum@1.0.0', { replacedBy: 't.sum@2.0.0' })).rejects.toThrow(
      'agent t.sum@1.0.0 cannot be replaced by "t.sum@2.0.0": no such agent is registered; register it first',
    );
    await expect(baton.deprecateAgent('t.sum@1.0.0', { replacedBy: 't.sum@1.0.0' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(baton.setAgentStatus('t.sum@1.0.0', 'retired' as 'offline')).rejects.toThrow(
      '"retired" is not an agent status: use active, beta, deprecated, offline',
    );
    await expect(baton.saveAgent({ ...builtinAgentDefinitions()[0]!, name: 'mine' })).rejects.toThrow(
      'is defined in code',
    );
    expect(baton.catalog.resolve({ id: 't.sum', version: '1.0.0' })?.status).toBe('active');
  });

  it('validates every definition before saving any', async () => {
    const baton = await openBaton();
    const invalid = { ...summer('2.0.0'), performance: { avgLatency: -1 } } as AgentDefinitionInput;
    const failure = await baton.saveAgents([summer('1.0.0'), invalid]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DefinitionError);
    expect((failure as DefinitionError).message).toBe('1 of 2 agent definitions are invalid');
    expect((failure as DefinitionError).problems[0]?.path).toMatch(/^\[1\]\.performance/);
    await expect(
      baton.saveAgents([summer('1.0.0'), { ...summer('2.0.0'), replacedBy: 't.other' }]),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(baton.catalog.has('t.sum')).toBe(false);
    expect((await reopen(baton)).catalog.has('t.sum')).toBe(false);
  });
});
