import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentError, InputRequiredError, inputReplyOf, type RunEvent, type Store } from '@baton/core';
import { MemoryStore, sampleRun, sampleTask } from '@baton/testing';
import { approvalsInbox } from './approvals-inbox.js';
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

  it('lists 2,000 runs waiting on approvals, each once, oldest request first, and filters them', async () => {
    const count = 2_000;
    const finance = baton.parseWorkflow(approval('pay', 'role:finance'));
    const ana = baton.parseWorkflow(approval('ship', 'ana'));
    let requested = 0;
    let allRequested: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (allRequested = resolve));
    const stop = baton.subscribe('*', (event) => {
      if (event.type === 'approval.requested' && ++requested === count) allRequested();
    });
    const ids: string[] = [];
    for (let from = 0; from < count; from += 250) {
      const slice = Array.from({ length: 250 }, (_, k) =>
        baton.startRun((from + k) % 4 === 0 ? ana : finance, { amount: from + k }),
      );
      ids.push(...(await Promise.all(slice)).map((run) => run.id));
    }
    await asked;
    stop();
    await expect.poll(async () => (await baton.pendingApprovals()).length).toBe(count);

    const pending = await baton.pendingApprovals();
    expect(new Set(pending.map((p) => p.runId))).toEqual(new Set(ids));
    const order = pending.map((p) => [p.requestedAt, p.runId] as const);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)));
    expect(pending.every((p) => p.kind === 'approval' && p.taskKey === 'ask')).toBe(true);
    expect(await baton.pendingApprovals({ assignee: 'ana' })).toHaveLength(count / 4);
    const one = ids[count - 1]!;
    expect(await baton.pendingApprovals({ runId: one })).toEqual(pending.filter((p) => p.runId === one));
  });
});

describe('the approvals inbox over a store', () => {
  const ERROR = { code: 'TIMEOUT', message: 'slow', retryable: false };
  const asked = (runId: string, taskKey: string, seq: number, extra: object = {}): RunEvent => ({
    type: 'approval.requested',
    runId,
    seq,
    at: 2_000 + seq,
    taskKey,
    nodeId: taskKey,
    assignee: 'ana',
    message: `${runId} ${taskKey}?`,
    options: ['approved', 'rejected'],
    urgency: 'medium',
    ...extra,
  });

  /** A store with approvals, escalations, a question, a decided one, a backing-off task and an ended run. */
  async function filled(): Promise<MemoryStore> {
    const store = new MemoryStore();
    const waiting = (runId: string, key: string, extra = {}) =>
      sampleTask(runId, key, { status: 'waiting', ...extra });
    await store.createRun(
      sampleRun('run_1', { status: 'waiting' }),
      [waiting('run_1', 'a')],
      [asked('run_1', 'a', 1)],
    );
    await store.createRun(
      sampleRun('run_2', { status: 'waiting', createdAt: 1_001 }),
      [waiting('run_2', 'post', { error: ERROR }), waiting('run_2', 'ask', { error: ERROR })],
      [
        asked('run_2', 'post', 1, { assignee: 'operators', options: ['retry', 'skip', 'abort'] }),
        asked('run_2', 'ask', 2, { assignee: 'operators', kind: 'input' }),
      ],
    );
    await store.createRun(
      sampleRun('run_3', { status: 'paused', createdAt: 1_002 }),
      [
        waiting('run_3', 'a', { status: 'succeeded' }),
        waiting('run_3', 'b', { error: ERROR, wakeAt: 9_000 }),
      ],
      [asked('run_3', 'a', 1), asked('run_3', 'b', 2)],
    );
    await store.createRun(
      sampleRun('run_4', { status: 'running', createdAt: 1_003 }),
      [waiting('run_4', 'a')],
      [
        asked('run_4', 'a', 1),
        {
          type: 'approval.decided',
          runId: 'run_4',
          seq: 2,
          at: 3_000,
          taskKey: 'a',
          nodeId: 'a',
          decision: 'approved',
          by: 'ana',
          auto: false,
        },
      ],
    );
    await store.createRun(
      sampleRun('run_5', { status: 'cancelled', createdAt: 1_004 }),
      [waiting('run_5', 'a')],
      [asked('run_5', 'a', 1)],
    );
    return store;
  }

  /** The store's `Store` methods alone, as a store without open requests would offer them. */
  const withoutOpenRequests = (store: MemoryStore): Store => ({
    saveWorkflow: (...args) => store.saveWorkflow(...args),
    getWorkflow: (...args) => store.getWorkflow(...args),
    listWorkflows: () => store.listWorkflows(),
    createRun: (...args) => store.createRun(...args),
    commit: (...args) => store.commit(...args),
    loadRun: (...args) => store.loadRun(...args),
    getRun: (...args) => store.getRun(...args),
    listRuns: (...args) => store.listRuns(...args),
    readEvents: (...args) => store.readEvents(...args),
    claimRuns: (...args) => store.claimRuns(...args),
    runOwners: () => store.runOwners(),
    renewLease: (...args) => store.renewLease(...args),
    releaseRuns: (...args) => store.releaseRuns(...args),
    close: () => store.close(),
  });

  it('answers from the open requests without reading any event log, as the walk over runs does', async () => {
    const store = await filled();
    const readEvents = vi.spyOn(store, 'readEvents');
    const inbox = approvalsInbox(store);
    const listed = await inbox.pendingApprovals();
    expect(readEvents).not.toHaveBeenCalled();
    expect(listed.map((p) => [p.runId, p.taskKey, p.kind, p.assignee])).toEqual([
      ['run_1', 'a', 'approval', 'ana'],
      ['run_2', 'post', 'escalation', 'operators'],
      ['run_2', 'ask', 'input', 'operators'],
    ]);

    const walk = approvalsInbox(withoutOpenRequests(store));
    for (const query of [
      {},
      { assignee: 'operators' },
      { runId: 'run_2' },
      { runId: 'run_3' },
      { runId: 'run_5' },
    ]) {
      expect(await inbox.pendingApprovals(query)).toEqual(await walk.pendingApprovals(query));
    }
    expect(readEvents).toHaveBeenCalled();
  });
});
