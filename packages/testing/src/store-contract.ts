import { describe, expect, it } from 'vitest';
import type { Workflow } from '@baton/core';
import { commitCases } from './store-contract-commit.js';
import { dataCases } from './store-contract-data.js';
import { queryCases } from './store-contract-queries.js';
import { sampleEvent, sampleRun, sampleTask, sampleWorkflow } from './store-fixtures.js';
import { sortedBy, useStoreFixture, type MakeStore, type StoreHarness } from './store-harness.js';

/**
 * Registers the `Store` contract suite (vitest `describe`/`it`) for one adapter. Every adapter — memory,
 * SQLite, PostgreSQL — runs it unchanged from its own test file. `makeStore` is called before each case and
 * must give an empty store; its `cleanup` runs after the case. Cases about surviving a restart run only when
 * the fixture has `reopen`, and are reported as skipped with the reason otherwise.
 */
export function storeContract(name: string, makeStore: MakeStore): void {
  describe(`${name} satisfies the Store contract`, () => {
    const h = useStoreFixture(makeStore);
    workflowCases(h);
    createRunCases(h);
    commitCases(h);
    queryCases(h);
    dataCases(h);
  });
}

function workflowCases(h: StoreHarness): void {
  describe('workflows', () => {
    it('reads a saved workflow back by id and version', async () => {
      const workflow = sampleWorkflow();
      await h.store.saveWorkflow(workflow, 1_000);
      expect(await h.store.getWorkflow(workflow.id, workflow.version)).toEqual({ workflow, savedAt: 1_000 });
    });

    it('returns the version saved last when no version is given', async () => {
      await h.store.saveWorkflow(sampleWorkflow({ version: '1.0.0' }), 1_000);
      await h.store.saveWorkflow(sampleWorkflow({ version: '2.0.0', name: 'Second' }), 2_000);
      const found = await h.store.getWorkflow('invoice-review');
      expect(found?.workflow.version).toBe('2.0.0');
      expect(found?.workflow.name).toBe('Second');
      expect(found?.savedAt).toBe(2_000);
    });

    it('lists the newest version of every workflow', async () => {
      await h.store.saveWorkflow(sampleWorkflow({ version: '1.0.0' }), 1_000);
      await h.store.saveWorkflow(sampleWorkflow({ version: '1.1.0' }), 2_000);
      await h.store.saveWorkflow(sampleWorkflow({ id: 'onboarding', version: '0.1.0' }), 1_500);
      const listed = (await h.store.listWorkflows()).map((s) => ({
        id: s.workflow.id,
        version: s.workflow.version,
        savedAt: s.savedAt,
      }));
      expect(sortedBy(listed, 'id')).toEqual([
        { id: 'invoice-review', version: '1.1.0', savedAt: 2_000 },
        { id: 'onboarding', version: '0.1.0', savedAt: 1_500 },
      ]);
    });

    it('accepts the same id, version and content again, in any key order, and changes nothing', async () => {
      const workflow = sampleWorkflow();
      await h.store.saveWorkflow(workflow, 1_000);
      const reordered = Object.fromEntries(Object.entries(workflow).reverse()) as Workflow;
      await h.store.saveWorkflow(reordered, 5_000);
      expect(await h.store.getWorkflow(workflow.id, workflow.version)).toEqual({ workflow, savedAt: 1_000 });
    });

    it('rejects the same id and version with other content as a conflict and keeps the first', async () => {
      const workflow = sampleWorkflow();
      await h.store.saveWorkflow(workflow, 1_000);
      await expect(h.store.saveWorkflow({ ...workflow, name: 'Changed' }, 2_000)).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect(await h.store.getWorkflow(workflow.id, workflow.version)).toEqual({ workflow, savedAt: 1_000 });
    });

    it('returns undefined for an unknown workflow or version', async () => {
      await h.store.saveWorkflow(sampleWorkflow(), 1_000);
      expect(await h.store.getWorkflow('missing')).toBeUndefined();
      expect(await h.store.getWorkflow('invoice-review', '9.9.9')).toBeUndefined();
      expect(await h.store.getWorkflow('missing', '1.0.0')).toBeUndefined();
    });
  });
}

function createRunCases(h: StoreHarness): void {
  describe('createRun', () => {
    it('creates a run with its first tasks and events and reads them back', async () => {
      const run = sampleRun('run_1');
      const tasks = [sampleTask('run_1', 'extract'), sampleTask('run_1', 'approve', { status: 'pending' })];
      const events = [sampleEvent('run_1', 1), sampleEvent('run_1', 2)];
      await h.store.createRun(run, tasks, events);
      expect(await h.store.getRun('run_1')).toEqual(run);
      const loaded = await h.store.loadRun('run_1');
      expect(loaded?.run).toEqual(run);
      expect(sortedBy(loaded?.tasks ?? [], 'key')).toEqual(sortedBy(tasks, 'key'));
      expect(await h.store.readEvents('run_1')).toEqual(events);
    });

    it('rejects a duplicate run id as a conflict and keeps nothing of the second call', async () => {
      const run = sampleRun('run_1');
      await h.store.createRun(run, [sampleTask('run_1', 'extract')], [sampleEvent('run_1', 1)]);
      await expect(
        h.store.createRun(
          sampleRun('run_1', { status: 'queued', priority: 90 }),
          [sampleTask('run_1', 'other')],
          [sampleEvent('run_1', 2)],
        ),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await h.store.getRun('run_1')).toEqual(run);
      expect((await h.store.loadRun('run_1'))?.tasks.map((t) => t.key)).toEqual(['extract']);
      expect(await h.store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1)]);
    });

    it('rejects a repeated event seq as a conflict and creates nothing', async () => {
      await expect(
        h.store.createRun(
          sampleRun('run_1'),
          [sampleTask('run_1', 'extract')],
          [sampleEvent('run_1', 1), sampleEvent('run_1', 1)],
        ),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await h.store.getRun('run_1')).toBeUndefined();
      expect(await h.store.loadRun('run_1')).toBeUndefined();
      expect(await h.store.readEvents('run_1')).toEqual([]);
    });

    it('returns nothing for a run that does not exist', async () => {
      expect(await h.store.getRun('missing')).toBeUndefined();
      expect(await h.store.loadRun('missing')).toBeUndefined();
      expect(await h.store.readEvents('missing')).toEqual([]);
    });
  });
}
