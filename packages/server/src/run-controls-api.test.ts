import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError, type RunEvent, type RunRecord } from '@baton/core';
import { ErrorBodySchema } from '@baton/protocol';
import { functionAgent, openApi, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness;
/** Calls of `t.flaky`, which fails its first call and succeeds after. */
let flakyCalls = 0;
beforeEach(async () => {
  flakyCalls = 0;
  api = await openApi({
    batonOptions: {
      agents: [
        { definition: functionAgent('t.echo'), handler: (input) => ({ ...input }) },
        {
          definition: functionAgent('t.flaky'),
          handler: () => {
            flakyCalls += 1;
            if (flakyCalls === 1) throw new AgentError('the ledger is locked', { retryable: false });
            return { posted: true };
          },
        },
      ],
    },
  });
});
afterEach(() => api.dispose());

const approval = {
  id: 'pay',
  name: 'Pay',
  version: '1.0.0',
  variables: { limit: { default: 1 } },
  nodes: [{ id: 'ask', type: 'approval', assignee: 'role:finance', message: 'Pay?' }],
  edges: [],
};

const flaky = {
  id: 'post',
  name: 'Post',
  version: '1.0.0',
  nodes: [{ id: 'post', type: 'agent', agent: { id: 't.flaky' }, onError: 'escalate' }],
  edges: [],
  outputs: { result: { value: 'nodes.post.output' } },
};

const post = (url: string, payload?: object) =>
  api.app.inject({ method: 'POST', url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

async function start(workflow: object, extra: object = {}): Promise<string> {
  const response = await post('/runs', { workflow, ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ run: RunRecord }>().run.id;
}

async function statusOf(runId: string): Promise<string | undefined> {
  return (await api.baton.getRun(runId))?.run.status;
}

/** Acts and expects the act to be taken: the run as it is afterwards. */
async function act(url: string, payload?: object): Promise<RunRecord> {
  const response = await post(url, payload);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ run: RunRecord }>().run;
}

/** Acts and expects a refusal with this status and `details.code`. */
async function refused(url: string, status: number, code: string, payload?: object): Promise<string> {
  const response = await post(url, payload);
  expect(response.statusCode, response.body).toBe(status);
  const { error } = ErrorBodySchema.parse(response.json());
  expect(error.details?.['code']).toBe(code);
  return error.message;
}

describe('operator controls over the API', () => {
  it('pauses, resumes and cancels a run, audited as `api` unless named, and refuses them once it is over', async () => {
    const run = await start(approval);
    await expect.poll(() => statusOf(run)).toBe('waiting');

    expect((await act(`/runs/${run}/pause`, { reason: 'checking' })).status).toBe('paused');
    expect(await refused(`/runs/${run}/pause`, 409, 'INVALID_STATE')).toMatch(
      /only a running or waiting run/,
    );
    expect((await act(`/runs/${run}/resume`, { by: 'ana' })).status).toBe('waiting');
    expect(await refused(`/runs/${run}/resume`, 409, 'INVALID_STATE')).toMatch(/not paused/);
    expect((await act(`/runs/${run}/cancel`, { reason: 'not needed' })).status).toBe('cancelled');

    for (const control of ['pause', 'resume', 'cancel']) {
      expect(await refused(`/runs/${run}/${control}`, 409, 'RUN_FINISHED')).toMatch(/cancelled/);
    }
    const audit = (await api.baton.readEvents(run)).filter(
      (e): e is Extract<RunEvent, { type: 'operator.acted' }> => e.type === 'operator.acted',
    );
    expect(audit.map((e) => [e.command, e.by, e.reason])).toEqual([
      ['pause', 'api', 'checking'],
      ['resume', 'ana', undefined],
      ['cancel', 'api', 'not needed'],
    ]);
  });

  it('refuses a body with fields a control does not take', async () => {
    const run = await start(approval);
    const response = await post(`/runs/${run}/pause`, { by: 'ana', reasons: 'typo' });
    expect(response.statusCode).toBe(400);
    expect(ErrorBodySchema.parse(response.json()).error.problems?.[0]?.path).toBe('body.reasons');
  });

  it('rolls a run back', async () => {
    const run = await start(approval);
    await expect.poll(() => statusOf(run)).toBe('waiting');
    await act(`/runs/${run}/rollback`, { reason: 'wrong vendor' });
    await expect.poll(() => statusOf(run)).toBe('rolled_back');
  });

  it('sets the variables of a paused run only, and 404s for one the workflow does not declare', async () => {
    const run = await start(approval);
    await expect.poll(() => statusOf(run)).toBe('waiting');
    expect(await refused(`/runs/${run}/vars`, 409, 'INVALID_STATE', { vars: { limit: 5 } })).toMatch(/pause/);
    await act(`/runs/${run}/pause`);
    expect((await act(`/runs/${run}/vars`, { vars: { limit: 5 } })).vars).toEqual({ limit: 5 });
    await refused(`/runs/${run}/vars`, 404, 'NOT_FOUND', { vars: { ceiling: 5 } });
  });

  it('retries an escalated task, which then succeeds', async () => {
    const run = await start(flaky);
    await expect.poll(() => statusOf(run)).toBe('waiting');
    await act(`/runs/${run}/tasks/post/retry`, { by: 'ana' });
    expect((await api.baton.waitForRun(run)).output).toEqual({ result: { posted: true } });
    expect(flakyCalls).toBe(2);
  });

  it('skips an escalated task with the output given, and refuses to skip an approval', async () => {
    const run = await start(flaky);
    await expect.poll(() => statusOf(run)).toBe('waiting');
    await act(`/runs/${run}/tasks/post/skip`, { output: { posted: 'by hand' }, reason: 'done by phone' });
    expect((await api.baton.waitForRun(run)).output).toEqual({ result: { posted: 'by hand' } });
    expect(flakyCalls).toBe(1);

    const waiting = await start(approval);
    await expect.poll(() => statusOf(waiting)).toBe('waiting');
    expect(await refused(`/runs/${waiting}/tasks/ask/skip`, 409, 'INVALID_STATE')).toMatch(
      /decide or cancel/,
    );
  });

  it('edits the input of a held task in a step-through run, then steps it', async () => {
    const workflow = {
      id: 'echo',
      name: 'Echo',
      version: '1.0.0',
      nodes: [{ id: 'say', type: 'agent', agent: { id: 't.echo' }, inputs: { text: 'hello' } }],
      edges: [],
      outputs: { said: { value: 'nodes.say.output' } },
    };
    const run = await start(workflow, { stepThrough: true });
    await expect
      .poll(async () => (await api.baton.readEvents(run)).some((e) => e.type === 'task.held'))
      .toBe(true);
    await act(`/runs/${run}/tasks/say/input`, { input: { text: 'edited' }, by: 'ana' });
    await act(`/runs/${run}/step`, { by: 'ana' });
    expect((await api.baton.waitForRun(run)).output).toEqual({ said: { text: 'edited' } });
    expect(await refused(`/runs/${run}/step`, 409, 'RUN_FINISHED')).toMatch(/completed/);
  });
});
