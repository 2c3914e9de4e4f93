import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition, AgentDefinitionInput } from '@baton/core';
import { ErrorBodySchema } from '@baton/protocol';
import { openApi, scriptAgent, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness;
beforeEach(async () => {
  api = await openApi();
});
afterEach(() => api.dispose());

async function register(...agents: AgentDefinitionInput[]): Promise<void> {
  const response = await api.app.inject({ method: 'POST', url: '/api/v1/agents', payload: { agents } });
  expect(response.statusCode, response.body).toBe(201);
}

async function version(ref: string): Promise<AgentDefinition> {
  const [id, v] = ref.split('@');
  const response = await api.app.inject({ url: `/api/v1/agents/${id}/versions/${v}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ definition: AgentDefinition }>().definition;
}

const act = (method: 'POST' | 'PUT', url: string, payload?: object) =>
  api.app.inject({ method, url: `/api/v1/agents/${url}`, ...(payload ? { payload } : {}) });

describe('the lifecycle of agents over the API', () => {
  it('refuses a deprecation whose replacement is not registered, and leaves the status as it was', async () => {
    await register(scriptAgent('acme.old'));
    const response = await act('POST', 'acme.old/versions/1.0.0/deprecate', { replacedBy: 'acme.new@2.0.0' });
    expect(response.statusCode).toBe(404);
    expect(ErrorBodySchema.parse(response.json()).error.code).toBe('NOT_FOUND');
    const after = await version('acme.old@1.0.0');
    expect(after.status).toBe('active');
    expect(after.replacedBy).toBeUndefined();
  });

  it('deprecates a version in favour of a registered one', async () => {
    await register(scriptAgent('acme.old'), scriptAgent('acme.new', { version: '2.0.0' }));
    const response = await act('POST', 'acme.old/versions/1.0.0/deprecate', { replacedBy: 'acme.new@2.0.0' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ agent: AgentDefinition }>().agent).toMatchObject({
      status: 'deprecated',
      replacedBy: 'acme.new@2.0.0',
    });
    const after = await version('acme.old@1.0.0');
    expect(after).toMatchObject({ status: 'deprecated', replacedBy: 'acme.new@2.0.0' });
    expect(after.deprecatedAt).toEqual(expect.any(String));
  });

  it('deprecates without a body, and 404s for a version that does not exist', async () => {
    await register(scriptAgent('acme.old'));
    expect((await act('POST', 'acme.old/versions/1.0.0/deprecate')).statusCode).toBe(200);
    expect((await version('acme.old@1.0.0')).status).toBe('deprecated');
    expect((await act('POST', 'acme.old/versions/3.0.0/deprecate')).statusCode).toBe(404);
  });

  it('takes a version offline, and refuses a status that does not exist', async () => {
    await register(scriptAgent('acme.flaky'));
    const offline = await act('PUT', 'acme.flaky/versions/1.0.0/status', { status: 'offline' });
    expect(offline.statusCode, offline.body).toBe(200);
    expect((await version('acme.flaky@1.0.0')).status).toBe('offline');
    expect(api.baton.catalog.resolve({ id: 'acme.flaky', version: '1.0.0' })?.status).toBe('offline');

    const bad = await act('PUT', 'acme.flaky/versions/1.0.0/status', { status: 'gone' });
    expect(bad.statusCode).toBe(400);
    const error = ErrorBodySchema.parse(bad.json()).error;
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.problems?.map((p) => p.path)).toEqual(['body.status']);
    const missing = await act('PUT', 'acme.flaky/versions/1.0.0/status', {});
    expect(ErrorBodySchema.parse(missing.json()).error.problems).toEqual([
      expect.objectContaining({ code: 'MISSING_FIELD', path: 'body.status' }),
    ]);
    expect((await version('acme.flaky@1.0.0')).status).toBe('offline');
  });
});

describe('searching the catalog over the API', () => {
  const legalCostly = scriptAgent('acme.review', {
    capabilities: {
      domain: 'legal',
      skills: ['contract_review'],
      inputTypes: ['pdf'],
      outputTypes: ['report'],
    },
    performance: { avgLatency: 100, successRate: 99, throughput: 10, costPerExecution: 0.5, reliability: 99 },
  });
  const legalCheap = scriptAgent('acme.compliance', {
    capabilities: { domain: 'legal', skills: ['contract_review', 'compliance'], inputTypes: ['text'] },
    performance: {
      avgLatency: 2000,
      successRate: 90,
      throughput: 10,
      costPerExecution: 0.01,
      reliability: 90,
    },
  });
  const sales = scriptAgent('acme.pricing', {
    capabilities: { domain: 'sales', skills: ['pricing'] },
    performance: { avgLatency: 50, successRate: 80, throughput: 10, costPerExecution: 0.01, reliability: 80 },
  });

  async function search(query: string): Promise<string[]> {
    const response = await api.app.inject({ url: `/api/v1/agents?q=acme&${query}` });
    expect(response.statusCode, response.body).toBe(200);
    const { agents } = response.json<{ agents: { definition: AgentDefinition; performance: unknown }[] }>();
    return agents.map((a) => a.definition.id).sort();
  }

  it('filters by domain, skills, types, figures, kind and status', async () => {
    await register(legalCostly, legalCheap, sales);
    expect(await search('')).toEqual(['acme.compliance', 'acme.pricing', 'acme.review']);
    expect(await search('domain=legal')).toEqual(['acme.compliance', 'acme.review']);
    expect(await search('skill=contract_review&skill=compliance')).toEqual(['acme.compliance']);
    expect(await search('skill=contract_review,compliance')).toEqual(['acme.compliance']);
    expect(await search('inputType=pdf')).toEqual(['acme.review']);
    expect(await search('outputType=report')).toEqual(['acme.review']);
    expect(await search('maxCostUsd=0.1')).toEqual(['acme.compliance', 'acme.pricing']);
    expect(await search('domain=legal&maxLatencyMs=500')).toEqual(['acme.review']);
    expect(await search('minSuccessRate=95')).toEqual(['acme.review']);
    expect(await search('kind=http')).toEqual([]);
    expect(await search('kind=script&limit=1')).toHaveLength(1);

    await act('PUT', 'acme.pricing/versions/1.0.0/status', { status: 'offline' });
    expect(await search('')).toEqual(['acme.compliance', 'acme.review']);
    expect(await search('status=offline')).toEqual(['acme.pricing']);
  });

  it('gives each agent found with the figures selection judges it by', async () => {
    await register(legalCostly);
    const response = await api.app.inject({ url: '/api/v1/agents?q=acme.review' });
    const [found] = response.json<{ agents: { performance: Record<string, unknown> }[] }>().agents;
    expect(found?.performance).toMatchObject({
      agent: 'acme.review@1.0.0',
      judgedBy: 'declared',
      declared: { costPerExecution: 0.5 },
    });
  });

  it('refuses filters it cannot read, naming each one', async () => {
    for (const [query, path] of [
      ['domain=space', 'query.domain'],
      ['maxCostUsd=cheap', 'query.maxCostUsd'],
      ['limit=0', 'query.limit'],
      ['status=active,gone', 'query.status[1]'],
      ['skills=pricing', 'query.skills'],
    ] as const) {
      const response = await api.app.inject({ url: `/api/v1/agents?${query}` });
      expect(response.statusCode, query).toBe(400);
      const error = ErrorBodySchema.parse(response.json()).error;
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.problems?.map((p) => p.path)).toEqual([path]);
    }
  });
});
