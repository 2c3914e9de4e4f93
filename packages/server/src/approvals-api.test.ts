import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputRequiredError, inputReplyOf, type RunRecord } from '@baton/core';
import type { PendingApproval } from '@baton/embedded';
import { ErrorBodySchema } from '@baton/protocol';
import { functionAgent, openApi, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness;
beforeEach(async () => {
  api = await openApi({
    batonOptions: {
      agents: [
        {
          definition: functionAgent('t.asking'),
          // Asks which year unless it carries on with a person's answer.
          handler: (input, ctx) => {
            const answer = inputReplyOf(ctx.checkpoint);
            if (!answer) throw new InputRequiredError('Which year?', { details: { topic: input['topic'] } });
            return { report: `${String(answer.request['topic'])} in ${JSON.stringify(answer.reply)}` };
          },
        },
      ],
    },
  });
});
afterEach(() => api.dispose());

const payment = {
  id: 'pay',
  name: 'Pay',
  version: '1.0.0',
  nodes: [
    {
      id: 'ask',
      type: 'approval',
      assignee: 'role:finance',
      message: 'Pay {{ input.amount }}?',
      urgency: 'high',
    },
    { id: 'paid', type: 'transform', set: { ok: 'true' } },
  ],
  edges: [{ from: 'ask', to: 'paid', port: 'approved' }],
  outputs: { paid: { value: 'nodes.paid.output.ok' } },
};

const yearly = {
  id: 'yearly',
  name: 'Yearly report',
  version: '1.0.0',
  nodes: [{ id: 'report', type: 'agent', agent: { id: 't.asking' }, inputs: { topic: 'tides' } }],
  edges: [],
  outputs: { report: { value: 'nodes.report.output.report' } },
};

const post = (url: string, payload?: object) =>
  api.app.inject({ method: 'POST', url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

async function startWaiting(workflow: object, input: object = {}): Promise<string> {
  const response = await post('/runs', { workflow, input });
  expect(response.statusCode, response.body).toBe(201);
  const id = response.json<{ run: RunRecord }>().run.id;
  await expect.poll(async () => (await api.baton.getRun(id))?.run.status).toBe('waiting');
  return id;
}

async function inbox(query = ''): Promise<PendingApproval[]> {
  const response = await api.app.inject({ url: `/api/v1/approvals${query}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ approvals: PendingApproval[] }>().approvals;
}

describe('approvals over the API', () => {
  it('lists a waiting approval in the inbox, and a decision completes the run', async () => {
    const run = await startWaiting(payment, { amount: 120 });
    expect(await inbox()).toEqual([
      {
        runId: run,
        workflowId: 'pay',
        workflowVersion: '1.0.0',
        taskKey: 'ask',
        nodeId: 'ask',
        kind: 'approval',
        assignee: 'role:finance',
        message: 'Pay 120?',
        options: ['approved', 'rejected'],
        urgency: 'high',
        requestedAt: expect.any(Number) as number,
      },
    ]);
    expect(await inbox('?assignee=role:finance')).toHaveLength(1);
    expect(await inbox('?assignee=ana')).toEqual([]);
    expect(await inbox(`?runId=${run}`)).toHaveLength(1);

    const wrong = await post(`/runs/${run}/tasks/ask/decision`, { decision: 'maybe' });
    expect(wrong.statusCode).toBe(409);
    expect(ErrorBodySchema.parse(wrong.json()).error.message).toMatch(/choose approved, rejected/);

    const decided = await post(`/runs/${run}/tasks/ask/decision`, { decision: 'approved', comment: 'fine' });
    expect(decided.statusCode, decided.body).toBe(200);
    const done = await api.baton.waitForRun(run);
    expect(done.output).toEqual({ paid: true });
    const event = (await api.baton.readEvents(run)).find((e) => e.type === 'approval.decided');
    expect(event).toMatchObject({ decision: 'approved', by: 'api', comment: 'fine' });
    expect(await inbox()).toEqual([]);

    const late = await post(`/runs/${run}/tasks/ask/decision`, { decision: 'rejected' });
    expect(late.statusCode).toBe(409);
    expect(ErrorBodySchema.parse(late.json()).error.details?.['code']).toBe('RUN_FINISHED');
  });

  it("lists an agent's question with kind input, and a reply carries the run on with the answer", async () => {
    const run = await startWaiting(yearly);
    const [question] = await inbox();
    expect(question).toMatchObject({ runId: run, taskKey: 'report', kind: 'input', assignee: 'operators' });
    expect(question?.message).toContain('Which year?');
    expect(question?.options).toEqual(['reply', 'skip', 'abort']);

    const missing = await post(`/runs/${run}/tasks/report/reply`, { by: 'ana' });
    expect(missing.statusCode).toBe(400);
    expect(ErrorBodySchema.parse(missing.json()).error.problems).toEqual([
      expect.objectContaining({ code: 'MISSING_FIELD', path: 'body.reply' }),
    ]);
    expect((await api.baton.getRun(run))?.run.status).toBe('waiting');

    const replied = await post(`/runs/${run}/tasks/report/reply`, { reply: { year: 2025 }, by: 'ana' });
    expect(replied.statusCode, replied.body).toBe(200);
    expect((await api.baton.waitForRun(run)).output).toEqual({ report: 'tides in {"year":2025}' });
    const event = (await api.baton.readEvents(run)).find((e) => e.type === 'approval.decided');
    expect(event).toMatchObject({ decision: 'reply', by: 'ana', reply: { year: 2025 } });
  });

  it('decides approvals of loop iterations by task keys with brackets, and refuses one not waiting', async () => {
    const each = {
      id: 'each',
      name: 'Each',
      version: '1.0.0',
      nodes: [
        {
          id: 'items',
          type: 'loop',
          forEach: 'input.items',
          concurrency: 2,
          body: {
            nodes: [{ id: 'ok', type: 'approval', assignee: 'ana', message: '{{ loop.item }}?' }],
            edges: [],
          },
        },
      ],
      edges: [],
    };
    const run = await startWaiting(each, { items: ['a', 'b'] });
    expect((await inbox()).map((p) => p.taskKey).sort()).toEqual(['items[0].ok', 'items[1].ok']);

    const encoded = await post(`/runs/${run}/tasks/${encodeURIComponent('items[0].ok')}/decision`, {
      decision: 'approved',
    });
    expect(encoded.statusCode, encoded.body).toBe(200);
    expect((await inbox()).map((p) => p.taskKey)).toEqual(['items[1].ok']);

    const again = await post(`/runs/${run}/tasks/items%5B0%5D.ok/decision`, { decision: 'approved' });
    expect(again.statusCode).toBe(409);
    expect(ErrorBodySchema.parse(again.json()).error.details).toMatchObject({
      code: 'INVALID_STATE',
      waiting: ['items[1].ok'],
    });
    const unknown = await post(`/runs/${run}/tasks/items%5B7%5D.ok/decision`, { decision: 'approved' });
    expect(unknown.statusCode).toBe(404);

    await post(`/runs/${run}/tasks/items[1].ok/decision`, { decision: 'approved' });
    expect((await api.baton.waitForRun(run)).status).toBe('completed');
  });

  it('refuses an inbox query with a parameter it does not know', async () => {
    const response = await api.app.inject({ url: '/api/v1/approvals?asignee=ana' });
    expect(response.statusCode).toBe(400);
    expect(ErrorBodySchema.parse(response.json()).error.problems?.[0]).toMatchObject({
      code: 'UNKNOWN_FIELD',
      path: 'query.asignee',
    });
  });
});
