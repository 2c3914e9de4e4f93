import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition, AgentDefinitionInput } from '@baton/core';
import { ErrorBodySchema } from '@baton/protocol';
import { serveJsonDocuments, type JsonDocumentServer } from '@baton/test-services';
import { openApi, scriptAgent, type ApiHarness } from './testing/api-harness.js';

/** A function agent that answers with `{ ok: true }`, so a run of it settles at once. */
const answering: AgentDefinitionInput = { ...scriptAgent('acme.answer'), kind: 'function', settings: {} };
const calls = (flowId: string) => ({
  id: flowId,
  name: 'Calls acme.answer',
  version: '1.0.0',
  nodes: [{ id: 'ask', type: 'agent', agent: { id: 'acme.answer', version: '1.0.0' }, inputs: { q: 1 } }],
  outputs: { ok: { value: 'nodes.ask.output.ok' } },
});

const card = {
  name: 'Research Desk',
  description: 'Finds things out',
  version: '1.2.0',
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['application/json'],
  skills: [{ id: 'market-research', name: 'Market research' }],
};
let cardServer: JsonDocumentServer;
let cardBase: string;
beforeAll(async () => {
  cardServer = await serveJsonDocuments({
    '/.well-known/agent-card.json': card,
    '/bad/card.json': { skills: 3 },
  });
  cardBase = cardServer.base;
});
afterAll(() => cardServer.close());

let api: ApiHarness;
beforeEach(async () => {
  api = await openApi({
    batonOptions: {
      agents: [{ definition: answering, handler: () => ({ ok: true }) }],
      egressAllow: [new URL(cardBase).host],
    },
  });
});
afterEach(() => api.dispose());

const get = async <T>(url: string): Promise<T> => {
  const response = await api.app.inject({ url: `/api/v1/${url}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
};

describe('what the API tells about an agent beyond its definition', () => {
  it('lists the executions, usage and measured figures of an agent after it ran', async () => {
    const run = await api.baton.run(calls('asker'));
    expect(run.status).toBe('completed');

    const { agent, executions } = await get<{
      agent: string;
      executions: { runId: string; status: string }[];
    }>('agents/acme.answer/versions/1.0.0/executions?limit=5');
    expect(agent).toBe('acme.answer@1.0.0');
    expect(executions).toEqual([expect.objectContaining({ runId: run.id, status: 'succeeded' })]);

    const { usage } = await get<{ usage: { agent: string; tasks: number; runs: number }[] }>('agent-usage');
    expect(usage).toContainEqual(expect.objectContaining({ agent: 'acme.answer@1.0.0', tasks: 1, runs: 1 }));

    const shown = await get<{
      definition: AgentDefinition;
      performance: { declared: unknown; measured?: { samples: number }; judgedBy: string };
      usage: { tasks: number; runs: number; lastUsedAt: number };
      breaker?: { state: string };
    }>('agents/acme.answer/versions/1.0.0');
    expect(shown.definition.id).toBe('acme.answer');
    expect(shown.usage).toMatchObject({ tasks: 1, runs: 1 });
    expect(shown.usage.lastUsedAt).toBeGreaterThan(0);
    expect(shown.performance.measured?.samples).toBe(1);
    expect(shown.performance.judgedBy).toBe('declared');
    expect(shown.breaker?.state).toBe('closed');

    const bad = await api.app.inject({
      url: '/api/v1/agents/acme.answer/versions/1.0.0/executions?limit=5000',
    });
    expect(ErrorBodySchema.parse(bad.json()).error.problems?.map((p) => p.path)).toEqual(['query.limit']);
  });

  it('shows an unused version as never used, without a breaker', async () => {
    const shown = await get<{ usage: unknown; breaker?: unknown }>('agents/acme.answer/versions/1.0.0');
    expect(shown.usage).toEqual({ tasks: 0, runs: 0, lastUsedAt: 0 });
    expect(shown.breaker).toBeUndefined();
  });

  it('tells which saved workflows call a version, and what deprecating it would touch', async () => {
    await api.baton.saveWorkflow(calls('asker'));
    const { dependencies, deprecationImpact } = await get<{
      dependencies: { agent: string; usedBy: { workflowId: string; nodeId: string; via: string }[] };
      deprecationImpact: { pinned: { workflowId: string }[] };
    }>('agents/acme.answer/versions/1.0.0/dependencies');
    expect(dependencies.agent).toBe('acme.answer@1.0.0');
    expect(dependencies.usedBy).toEqual([
      { workflowId: 'asker', workflowVersion: '1.0.0', nodeId: 'ask', via: 'pinned' },
    ]);
    expect(deprecationImpact.pinned.map((u) => u.workflowId)).toEqual(['asker']);
    const unknown = await api.app.inject({ url: '/api/v1/agents/acme.nobody/versions/1.0.0/dependencies' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('importing and probing agents over the API', () => {
  it('imports an A2A agent from its card, registers it once, and probes it', async () => {
    const dry = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents/import',
      payload: { url: cardBase, id: 'acme.desk', dryRun: true },
    });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ saved: false, agent: { id: 'acme.desk', kind: 'a2a' } });
    expect(api.baton.catalog.has('acme.desk')).toBe(false);

    const imported = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents/import',
      payload: { url: cardBase },
    });
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ saved: true, agent: { id: 'research-desk', version: '1.2.0' } });
    expect(api.baton.catalog.resolve({ id: 'research-desk', version: '1.2.0' })?.kind).toBe('a2a');
    const again = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents/import',
      payload: { url: cardBase },
    });
    expect(again.statusCode).toBe(409);

    const { agents } = await get<{ agents: { agent: string; status: string }[] }>(
      'agent-health?agent=research-desk&agent=acme.answer@1.0.0',
    );
    expect(agents.map((a) => [a.agent, a.status])).toEqual([
      ['research-desk@1.2.0', 'up'],
      ['acme.answer@1.0.0', 'local'],
    ]);
    const unknown = await api.app.inject({ url: '/api/v1/agent-health?agent=acme.nobody' });
    expect(unknown.statusCode).toBe(404);
  });

  it('saves nothing from a malformed card and answers with what is wrong', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents/import',
      payload: { url: `${cardBase}/bad/card.json` },
    });
    expect(response.statusCode).toBe(422);
    expect(ErrorBodySchema.parse(response.json()).error.code).toBe('DEFINITION_INVALID');
    const notHttp = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents/import',
      payload: { url: 'file:///etc/passwd' },
    });
    expect(ErrorBodySchema.parse(notHttp.json()).error).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
