import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError, InputRequiredError, inputReplyOf } from '@baton/core';
import type { Baton } from './create-baton.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

let baton: Baton;
let dispose: () => Promise<void>;
beforeEach(async () => {
  ({ baton, dispose } = await tempBaton({
    agents: [
      {
        definition: functionAgent('t.asking'),
        handler: (_input, ctx) => {
          const answer = inputReplyOf(ctx.checkpoint);
          if (!answer) throw new InputRequiredError('Which year?');
          return { year: answer.reply };
        },
      },
      {
        definition: functionAgent('t.broken'),
        handler: () => {
          throw new AgentError('the ledger is locked', { retryable: false });
        },
      },
    ],
  }));
});
afterEach(() => dispose());

const approval = (id: string, assignee: string) => ({
  id,
  name: id,
  version: '1.0.0',
  nodes: [
    { id: 'ask', type: 'approval', assignee, message: 'Pay {{ input.amount }}?', deadlineMs: 3_600_000 },
  ],
  edges: [],
});

async function waiting(runId: string): Promise<void> {
  await expect.poll(async () => (await baton.getRun(runId))?.run.status).toBe('waiting');
}

describe('the approvals inbox', () => {
  it('lists approvals, escalated failures and questions of agents waiting across runs, oldest first', async () => {
    const pay = await baton.startRun(approval('pay', 'role:finance'), { amount: 120 });
    await waiting(pay.id);
    const ask = await baton.startRun({
      id: 'ask',
      name: 'Ask',
      version: '1.0.0',
      nodes: [{ id: 'year', type: 'agent', agent: { id: 't.asking' } }],
      edges: [],
    });
    await waiting(ask.id);
    const broken = await baton.startRun({
      id: 'broken',
      name: 'Broken',
      version: '1.0.0',
      nodes: [{ id: 'post', type: 'agent', agent: { id: 't.broken' }, onError: 'escalate' }],
      edges: [],
    });
    await waiting(broken.id);

    const pending = await baton.pendingApprovals();
    expect(pending.map((p) => [p.runId, p.taskKey, p.kind])).toEqual([
      [pay.id, 'ask', 'approval'],
      [ask.id, 'year', 'input'],
      [broken.id, 'post', 'escalation'],
    ]);
    expect(pending[0]).toMatchObject({
      workflowId: 'pay',
      workflowVersion: '1.0.0',
      nodeId: 'ask',
      assignee: 'role:finance',
      message: 'Pay 120?',
      options: ['approved', 'rejected'],
      urgency: 'medium',
      deadline: expect.any(Number) as number,
      requestedAt: expect.any(Number) as number,
    });
    expect(pending[1]).toMatchObject({ assignee: 'operators', options: ['reply', 'skip', 'abort'] });
    expect(pending[1]?.message).toContain('Which year?');
    expect(pending[2]?.options).toEqual(['retry', 'skip', 'abort']);
  });

  it('filters by assignee and run, and drops a task once it is decided', async () => {
    const first = await baton.startRun(approval('pay', 'role:finance'), { amount: 1 });
    const second = await baton.startRun(approval('ship', 'ana'), { amount: 2 });
    await waiting(first.id);
    await waiting(second.id);

    expect((await baton.pendingApprovals({ assignee: 'ana' })).map((p) => p.runId)).toEqual([second.id]);
    expect((await baton.pendingApprovals({ runId: first.id })).map((p) => p.runId)).toEqual([first.id]);
    expect(await baton.pendingApprovals({ runId: first.id, assignee: 'ana' })).toEqual([]);
    expect(await baton.pendingApprovals({ runId: 'no-such-run' })).toEqual([]);

    await baton.decide(first.id, 'ask', 'approved', 'ana');
    expect((await baton.waitForRun(first.id)).status).toBe('completed');
    expect((await baton.pendingApprovals()).map((p) => p.runId)).toEqual([second.id]);
  });

  it('lists the approval of each loop iteration by its task key', async () => {
    const run = await baton.startRun(
      {
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
              nodes: [{ id: 'ok', type: 'approval', assignee: 'ana', message: 'Item {{ loop.item }}?' }],
              edges: [],
            },
          },
        ],
        edges: [],
      },
      { items: ['a', 'b'] },
    );
    await waiting(run.id);
    const pending = await baton.pendingApprovals({ runId: run.id });
    expect(pending.map((p) => [p.taskKey, p.message]).sort()).toEqual([
      ['items[0].ok', 'Item a?'],
      ['items[1].ok', 'Item b?'],
    ]);
  });
});
