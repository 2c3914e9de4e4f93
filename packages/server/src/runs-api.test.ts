import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunDetails } from '@baton/embedded';
import { RUN_TRANSITIONS, type RunEvent, type RunRecord } from '@baton/core';
import { ErrorBodySchema, WireRunStatusSchema } from '@baton/protocol';
import { openApi, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness;
beforeEach(async () => {
  api = await openApi();
});
afterEach(() => api.dispose());

/** Doubles `amount`; needs a number. */
const doubler = {
  id: 'doubler',
  name: 'Doubler',
  version: '1.0.0',
  inputs: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
  nodes: [{ id: 'double', type: 'transform', set: { value: 'input.amount * 2' } }],
  edges: [],
  outputs: { value: { value: 'nodes.double.output.value' } },
};

const post = (url: string, payload?: object) =>
  api.app.inject({ method: 'POST', url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
const get = (url: string) => api.app.inject({ url: `/api/v1${url}` });

async function start(payload: object): Promise<RunRecord> {
  const response = await post('/runs', payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ run: RunRecord }>().run;
}

describe('starting runs over the API', () => {
  it('starts a run of a document, which runs to its end', async () => {
    const run = await start({
      workflow: doubler,
      input: { amount: 21 },
      priority: 70,
      labels: { team: 'ops' },
    });
    expect(run).toMatchObject({ workflowId: 'doubler', workflowVersion: '1.0.0', priority: 70 });
    expect(run.labels).toEqual({ team: 'ops' });
    expect((await api.baton.waitForRun(run.id)).output).toEqual({ value: 42 });
  });

  it('starts a run of a saved workflow, the newest version or the one named', async () => {
    await api.baton.saveWorkflow(doubler);
    await api.baton.saveWorkflow({
      ...doubler,
      version: '2.0.0',
      nodes: [{ id: 'double', type: 'transform', set: { value: 'input.amount * 3' } }],
    });
    const newest = await start({ workflow: { id: 'doubler' }, input: { amount: 2 } });
    expect(newest.workflowVersion).toBe('2.0.0');
    expect((await api.baton.waitForRun(newest.id)).output).toEqual({ value: 6 });
    const pinned = await start({ workflow: { id: 'doubler', version: '1.0.0' }, input: { amount: 2 } });
    expect((await api.baton.waitForRun(pinned.id)).output).toEqual({ value: 4 });
  });

  it('refuses an input its schema does not allow with 422 and the problems, and starts nothing', async () => {
    const response = await post('/runs', { workflow: doubler, input: { amount: 'lots' } });
    expect(response.statusCode).toBe(422);
    const { error } = ErrorBodySchema.parse(response.json());
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.problems).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', path: 'input' })]);
    expect(error.problems?.[0]?.message).toMatch(/amount/);
    expect(await api.baton.listRuns()).toEqual([]);
  });

  it('answers 404 for a saved workflow that does not exist, and 400 for a malformed request', async () => {
    const missing = await post('/runs', { workflow: { id: 'ghost', version: '1.0.0' } });
    expect(missing.statusCode).toBe(404);
    expect(ErrorBodySchema.parse(missing.json()).error.code).toBe('NOT_FOUND');

    const malformed = await post('/runs', { workflow: doubler, input: [1], priority: 101, colour: 'red' });
    expect(malformed.statusCode).toBe(400);
    const paths = ErrorBodySchema.parse(malformed.json()).error.problems?.map((p) => p.path);
    expect(paths?.sort()).toEqual(['body.colour', 'body.input', 'body.priority']);
    const reserved = await post('/runs', { workflow: doubler, labels: { 'baton.org': 'x' } });
    expect(reserved.statusCode).toBe(400);
  });
});

describe('reading runs over the API', () => {
  it('lists runs newest first, a page at a time, following the `next` cursor to the end', async () => {
    const started: string[] = [];
    for (let amount = 0; amount < 5; amount++) {
      started.push((await start({ workflow: doubler, input: { amount } })).id);
    }
    for (const id of started) await api.baton.waitForRun(id);
    const seen: string[] = [];
    let url = '/runs?limit=2&workflowId=doubler';
    for (let pages = 0; pages < 5; pages++) {
      const response = await get(url);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json<{ runs: RunRecord[]; next?: string }>();
      seen.push(...page.runs.map((r) => r.id));
      if (page.next === undefined) break;
      url = `/runs?limit=2&workflowId=doubler&before=${encodeURIComponent(page.next)}`;
    }
    expect(seen).toEqual([...started].reverse());

    const completed = await get('/runs?status=completed,failed');
    expect(completed.json<{ runs: RunRecord[] }>().runs).toHaveLength(5);
    expect((await get('/runs?status=waiting')).json<{ runs: RunRecord[] }>().runs).toEqual([]);
    expect((await get('/runs?status=done')).statusCode).toBe(400);
    expect((await get('/runs?before=nonsense')).statusCode).toBe(400);
    expect((await get('/runs?sort=asc')).statusCode).toBe(400);
  });

  it('shows a run with its tasks and figures, and its event log as JSON', async () => {
    const run = await start({ workflow: doubler, input: { amount: 1 } });
    await api.baton.waitForRun(run.id);
    const shown = await get(`/runs/${run.id}`);
    expect(shown.statusCode).toBe(200);
    const details = shown.json<RunDetails>();
    expect(details.run).toMatchObject({ id: run.id, status: 'completed', output: { value: 2 } });
    expect(details.tasks).toEqual([expect.objectContaining({ key: 'double', status: 'succeeded' })]);
    expect(details.metrics.progress.completedTasks).toBe(1);

    const log = (await get(`/runs/${run.id}/events`)).json<{ events: RunEvent[] }>().events;
    expect(log[0]).toMatchObject({ type: 'run.created', seq: 1 });
    expect(log.at(-1)?.type).toBe('run.completed');
    expect(log.map((e) => e.seq)).toEqual(log.map((_e, i) => i + 1));

    const page = (await get(`/runs/${run.id}/events?after=2&limit=2`)).json<{
      events: RunEvent[];
      next?: number;
    }>();
    expect(page.events.map((e) => e.seq)).toEqual([3, 4]);
    expect(page.next).toBe(4);
    expect((await get(`/runs/${run.id}/events?after=${log.length}`)).json()).toEqual({ events: [] });
  });

  it('answers 404 NOT_FOUND for a run that does not exist, on every route', async () => {
    const requests = [
      get('/runs/nope'),
      get('/runs/nope/events'),
      get('/runs/nope/events/stream'),
      get('/runs/nope/replay'),
      post('/runs/nope/pause'),
      post('/runs/nope/cancel', { reason: 'gone' }),
      post('/runs/nope/tasks/a/skip', { output: 1 }),
      post('/runs/nope/tasks/a/decision', { decision: 'approved' }),
      post('/runs/nope/fork', { from: 'a' }),
    ];
    for (const response of await Promise.all(requests)) {
      expect(response.statusCode, response.body).toBe(404);
      expect(ErrorBodySchema.parse(response.json()).error.code).toBe('NOT_FOUND');
    }
  });

  it('replays a run from its log and says it matches', async () => {
    const run = await start({ workflow: doubler, input: { amount: 1 } });
    await api.baton.waitForRun(run.id);
    const response = await get(`/runs/${run.id}/replay`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ runId: run.id, matches: true, steps: 1 });
  });

  it('forks a run from a node with new input, as a new run linked to the original', async () => {
    const original = await start({ workflow: doubler, input: { amount: 1 } });
    await api.baton.waitForRun(original.id);
    const response = await post(`/runs/${original.id}/fork`, { from: 'double', input: { amount: 5 } });
    expect(response.statusCode, response.body).toBe(201);
    const fork = response.json<{ run: RunRecord }>().run;
    expect(fork.id).not.toBe(original.id);
    expect(fork.labels?.['baton.forked-from']).toBe(original.id);
    expect((await api.baton.waitForRun(fork.id)).output).toEqual({ value: 10 });
    const unknownNode = await post(`/runs/${original.id}/fork`, { from: 'nowhere' });
    expect(unknownNode.statusCode).toBe(404);
  });
});

describe('the run statuses the API carries', () => {
  it('are the statuses of the model', () => {
    expect([...WireRunStatusSchema.options].sort()).toEqual(Object.keys(RUN_TRANSITIONS).sort());
  });
});

describe('the API token on run routes', () => {
  it('guards starting, reading and streaming runs and the approvals inbox', async () => {
    const token = 'a-long-enough-test-token-0123456789';
    const guarded = await openApi({ apiToken: token });
    try {
      const requests = [
        {
          method: 'POST' as const,
          url: '/api/v1/runs',
          payload: { workflow: doubler, input: { amount: 1 } },
        },
        { method: 'GET' as const, url: '/api/v1/runs' },
        { method: 'GET' as const, url: '/api/v1/runs/any/events/stream' },
        { method: 'GET' as const, url: '/api/v1/approvals' },
        { method: 'POST' as const, url: '/api/v1/workflows/validate', payload: doubler },
      ];
      for (const request of requests) {
        const response = await guarded.app.inject(request);
        expect(response.statusCode, request.url).toBe(401);
        expect(ErrorBodySchema.parse(response.json()).error.code).toBe('UNAUTHENTICATED');
      }
      expect(await guarded.baton.listRuns()).toEqual([]);
      const allowed = await guarded.app.inject({
        ...requests[0]!,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(allowed.statusCode, allowed.body).toBe(201);
    } finally {
      await guarded.dispose();
    }
  });
});
