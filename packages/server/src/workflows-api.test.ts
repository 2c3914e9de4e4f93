import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Problem, Workflow, WorkflowPlan } from '@baton/core';
import { ErrorBodySchema } from '@baton/protocol';
import { openApi, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness;
beforeEach(async () => {
  api = await openApi();
});
afterEach(() => api.dispose());

const invoice = {
  id: 'invoice',
  name: 'Invoice',
  version: '1.0.0',
  inputs: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
  nodes: [
    { id: 'total', type: 'transform', set: { due: 'input.amount * 2' } },
    { id: 'ask', type: 'approval', assignee: 'role:finance', message: 'Pay {{ nodes.total.output.due }}?' },
  ],
  edges: [{ from: 'total', to: 'ask' }],
  outputs: { due: { value: 'nodes.total.output.due' } },
};

const post = (url: string, payload: object) =>
  api.app.inject({ method: 'POST', url: `/api/v1${url}`, payload });

describe('validating a workflow over the API', () => {
  it('reports a valid document with its defaults, and saves nothing', async () => {
    const response = await post('/workflows/validate', invoice);
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json<{ ok: boolean; problems: Problem[]; workflow: Workflow }>();
    expect(report).toMatchObject({ ok: true, problems: [], convertedFromNestedForm: false });
    expect(report.workflow.policies.priority).toBe(50);
    expect(await api.baton.getWorkflow('invoice')).toBeUndefined();
  });

  it('reports every problem of an invalid document with its path', async () => {
    const broken = {
      ...invoice,
      edges: [{ from: 'total', to: 'akx' }],
      nodes: [...invoice.nodes, { id: 'x' }],
    };
    const response = await post('/workflows/validate', broken);
    expect(response.statusCode).toBe(200);
    const report = response.json<{ ok: boolean; problems: Problem[]; workflow?: Workflow }>();
    expect(report.ok).toBe(false);
    expect(report.workflow).toBeUndefined();
    expect(report.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['nodes[2].type', 'edges[0].to']),
    );
  });

  it('refuses a body that is not a JSON object', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/v1/workflows/validate',
      headers: { 'content-type': 'application/json' },
      payload: '[1, 2]',
    });
    expect(response.statusCode).toBe(400);
    expect(ErrorBodySchema.parse(response.json()).error.code).toBe('INVALID_REQUEST');
  });
});

describe('saving and reading workflows over the API', () => {
  it('saves a version (201), takes the same one again (200), and refuses other content under it (409)', async () => {
    const created = await post('/workflows', invoice);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<{ workflow: Workflow }>().workflow).toMatchObject({
      id: 'invoice',
      version: '1.0.0',
    });
    expect((await post('/workflows', invoice)).statusCode).toBe(200);

    const changed = await post('/workflows', { ...invoice, name: 'Invoice, changed' });
    expect(changed.statusCode).toBe(409);
    expect(ErrorBodySchema.parse(changed.json()).error.code).toBe('CONFLICT');
    expect((await api.baton.getWorkflow('invoice', '1.0.0'))?.name).toBe('Invoice');
  });

  it('refuses an invalid document with 422 DEFINITION_INVALID and every problem', async () => {
    const response = await post('/workflows', { ...invoice, edges: [{ from: 'total', to: 'nowhere' }] });
    expect(response.statusCode).toBe(422);
    const { error } = ErrorBodySchema.parse(response.json());
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.problems?.map((p) => p.path)).toContain('edges[0].to');
    expect(await api.baton.getWorkflow('invoice')).toBeUndefined();
  });

  it('lists the newest version of each saved workflow as a summary, and refuses query parameters', async () => {
    expect((await api.app.inject({ url: '/api/v1/workflows' })).json()).toEqual({ workflows: [] });
    await post('/workflows', invoice);
    await post('/workflows', { ...invoice, version: '1.1.0', name: 'Invoice 1.1' });
    await post('/workflows', { ...invoice, id: 'approve', name: 'Approve', description: 'Asks finance' });
    const listed = await api.app.inject({ url: '/api/v1/workflows' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({
      workflows: [
        {
          id: 'approve',
          name: 'Approve',
          description: 'Asks finance',
          version: '1.0.0',
          savedAt: expect.any(Number) as number,
          nodes: 2,
        },
        {
          id: 'invoice',
          name: 'Invoice 1.1',
          description: '',
          version: '1.1.0',
          savedAt: expect.any(Number) as number,
          nodes: 2,
        },
      ],
    });
    const refused = await api.app.inject({ url: '/api/v1/workflows?limit=5' });
    expect(refused.statusCode).toBe(400);
    expect(ErrorBodySchema.parse(refused.json()).error.code).toBe('INVALID_REQUEST');
  });

  it('reads the newest version or the one asked for, and 404s for one never saved', async () => {
    await post('/workflows', invoice);
    await post('/workflows', { ...invoice, version: '1.1.0', name: 'Invoice 1.1' });
    const newest = await api.app.inject({ url: '/api/v1/workflows/invoice' });
    expect(newest.json<{ workflow: Workflow }>().workflow.version).toBe('1.1.0');
    const first = await api.app.inject({ url: '/api/v1/workflows/invoice?version=1.0.0' });
    expect(first.json<{ workflow: Workflow }>().workflow.name).toBe('Invoice');

    for (const url of ['/api/v1/workflows/invoice?version=9.9.9', '/api/v1/workflows/ghost']) {
      const missing = await api.app.inject({ url });
      expect(missing.statusCode, url).toBe(404);
      expect(ErrorBodySchema.parse(missing.json()).error.code).toBe('NOT_FOUND');
    }
    const unknown = await api.app.inject({ url: '/api/v1/workflows/invoice?versoin=1.0.0' });
    expect(unknown.statusCode).toBe(400);
    expect(ErrorBodySchema.parse(unknown.json()).error.problems?.[0]).toMatchObject({
      code: 'UNKNOWN_FIELD',
      path: 'query.versoin',
    });
  });

  it('plans a saved version: its critical path runs through the approval', async () => {
    await post('/workflows', invoice);
    const response = await api.app.inject({ url: '/api/v1/workflows/invoice/plan' });
    expect(response.statusCode, response.body).toBe(200);
    const { workflow, plan } = response.json<{ workflow: object; plan: WorkflowPlan }>();
    expect(workflow).toEqual({ id: 'invoice', version: '1.0.0' });
    expect(plan.executionStrategy.criticalPath).toEqual(['total', 'ask']);
    expect(plan.tasks.map((t) => t.id).sort()).toEqual(['ask', 'total']);
    expect((await api.app.inject({ url: '/api/v1/workflows/invoice/plan?mode=best' })).statusCode).toBe(400);
  });
});
