import { describe, expect, it } from 'vitest';
import type { RunEvent, RunRecord, TaskRecord } from '@baton/core';
import { sampleEvent, sampleRun, sampleTask, sampleWorkflow } from './store-fixtures.js';
import type { StoreHarness } from './store-harness.js';

const NO_REOPEN = 'the store keeps nothing across a restart (its fixture has no reopen)';

/** A string of about `bytes` characters that does not compress to a pattern a store could special-case. */
function payload(bytes: number): string {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const line = `${i.toString(36)}:${(i * 2_654_435_761).toString(16)} ${'lorem ipsum '.repeat(8)}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

/** Copies on read and write, large and unicode payloads, absent fields, reopen and close. */
export function dataCases(h: StoreHarness): void {
  describe('data', () => {
    it('returns copies: changing what a read returned changes nothing stored', async () => {
      const workflow = sampleWorkflow();
      const run = sampleRun('run_1', { labels: { team: 'ap' } });
      const task = sampleTask('run_1', 'a', { output: { lines: [1, 2] } });
      await h.store.saveWorkflow(workflow, 1_000);
      await h.store.createRun(run, [task], [sampleEvent('run_1', 1)]);

      const stored = (await h.store.getWorkflow(workflow.id))!;
      stored.workflow.name = 'changed';
      stored.workflow.nodes.length = 0;
      (await h.store.listWorkflows())[0]!.workflow.tags.push('changed');
      const read = (await h.store.getRun('run_1'))!;
      read.status = 'failed';
      read.input['amount'] = 0;
      read.labels!['team'] = 'changed';
      (await h.store.listRuns())[0]!.vars['x'] = 1;
      const loaded = (await h.store.loadRun('run_1'))!;
      loaded.run.priority = 0;
      (loaded.tasks[0]!.output as { lines: number[] }).lines.push(3);
      loaded.tasks.length = 0;
      const events = await h.store.readEvents('run_1');
      events[0]!.at = 0;
      events.length = 0;

      expect(await h.store.getWorkflow(workflow.id)).toEqual({ workflow: sampleWorkflow(), savedAt: 1_000 });
      expect(await h.store.loadRun('run_1')).toEqual({
        run: sampleRun('run_1', { labels: { team: 'ap' } }),
        tasks: [task],
      });
      expect(await h.store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1)]);
    });

    it('keeps its own copies: changing an object after handing it over changes nothing stored', async () => {
      const workflow = sampleWorkflow();
      const run = sampleRun('run_1', { vars: { n: 1 } });
      const task = sampleTask('run_1', 'a', { input: { items: ['x'] } });
      const event = sampleEvent('run_1', 1);
      await h.store.saveWorkflow(workflow, 1_000);
      await h.store.createRun(run, [task], [event]);
      const untouched = sampleRun('run_2', { labels: { team: 'ap' } });
      await h.store.createRun(untouched, [], []);
      const later = sampleTask('run_1', 'b', { output: { items: ['y'] } });
      const delta = {
        runId: 'run_1',
        run: { vars: { n: 2 } },
        tasks: [later],
        events: [sampleEvent('run_1', 2)],
      };
      await h.store.commit([delta]);

      workflow.nodes.length = 0;
      run.vars['n'] = 99;
      untouched.status = 'failed';
      untouched.labels!['team'] = 'changed';
      (task.input as { items: string[] }).items.push('changed');
      event.seq = 42;
      delta.run.vars.n = 99;
      (later.output as { items: string[] }).items.push('changed');
      delta.events.length = 0;

      expect((await h.store.getWorkflow('invoice-review'))?.workflow).toEqual(sampleWorkflow());
      expect(await h.store.loadRun('run_1')).toEqual({
        run: sampleRun('run_1', { vars: { n: 2 } }),
        tasks: [
          sampleTask('run_1', 'a', { input: { items: ['x'] } }),
          sampleTask('run_1', 'b', { output: { items: ['y'] } }),
        ],
      });
      expect(await h.store.readEvents('run_1')).toEqual([sampleEvent('run_1', 1), sampleEvent('run_1', 2)]);
      expect(await h.store.getRun('run_2')).toEqual(sampleRun('run_2', { labels: { team: 'ap' } }));
    });

    it('round-trips a 1 MB task output and event payload', async () => {
      const text = payload(1024 * 1024);
      const output = { text, rows: Array.from({ length: 1000 }, (_, i) => ({ i, even: i % 2 === 0 })) };
      await h.store.createRun(sampleRun('run_1'), [], []);
      const task = sampleTask('run_1', 'a', { status: 'succeeded', output, port: 'out' });
      const event: RunEvent = {
        type: 'task.succeeded',
        runId: 'run_1',
        seq: 1,
        at: 2_000,
        taskKey: 'a',
        nodeId: 'a',
        attempt: 1,
        output,
        port: 'out',
        costUsd: 0,
      };
      await h.store.commit([{ runId: 'run_1', run: { output: { text } }, tasks: [task], events: [event] }]);
      const loaded = await h.store.loadRun('run_1');
      expect(loaded?.run.output).toEqual({ text });
      expect(loaded?.tasks).toEqual([task]);
      expect(await h.store.readEvents('run_1')).toEqual([event]);
    });

    it('round-trips unicode in ids, keys, labels and payloads', async () => {
      const text = 'Grüße, 世界 — مرحبا 👋🏽 "quoted" \\ back\u0000nul\u2028line \uD800 lone';
      const id = 'run_ünïcødé_世界_🚀';
      const run = sampleRun(id, { input: { text }, labels: { équipe: 'façade 🚀' } });
      const task = sampleTask(id, 'loop[0].résumé', { input: { text }, output: { [text]: text } });
      const event: RunEvent = { type: 'run.paused', runId: id, seq: 1, at: 1, by: 'zoë', reason: text };
      await h.store.saveWorkflow(sampleWorkflow({ name: text, description: text }), 1_000);
      await h.store.createRun(run, [task], [event]);
      expect((await h.store.getWorkflow('invoice-review'))?.workflow.name).toBe(text);
      expect(await h.store.loadRun(id)).toEqual({ run, tasks: [task] });
      expect(await h.store.readEvents(id)).toEqual([event]);
      expect((await h.store.listRuns({ workflowId: 'invoice-review' })).map((r) => r.id)).toEqual([id]);
    });

    it('leaves unset optional fields absent, not null, after a round trip', async () => {
      const run = sampleRun('run_1');
      const paused: RunEvent = { type: 'run.paused', runId: 'run_1', seq: 1, at: 5 };
      await h.store.createRun(run, [sampleTask('run_1', 'a')], [paused]);
      const resumed: RunEvent = { type: 'run.resumed', runId: 'run_1', seq: 2, at: 6 };
      const running = sampleTask('run_1', 'a', { status: 'running' });
      await h.store.commit([{ runId: 'run_1', run: { priority: 60 }, tasks: [running], events: [resumed] }]);
      await h.store.saveWorkflow(sampleWorkflow(), 1_000);

      expect(await h.store.getRun('run_1')).toStrictEqual<RunRecord>({ ...run, priority: 60 });
      expect((await h.store.loadRun('run_1'))?.tasks).toStrictEqual<TaskRecord[]>([running]);
      expect(await h.store.readEvents('run_1')).toStrictEqual([paused, resumed]);
      expect((await h.store.listRuns())[0]).toStrictEqual<RunRecord>({ ...run, priority: 60 });
      expect((await h.store.getWorkflow('invoice-review'))?.workflow).toStrictEqual(sampleWorkflow());
    });

    it('keeps a JSON null output apart from an absent one', async () => {
      const tasks = [sampleTask('run_1', 'a', { output: null, input: null }), sampleTask('run_1', 'b')];
      await h.store.createRun(sampleRun('run_1'), tasks, []);
      const [a, b] = (await h.store.loadRun('run_1'))?.tasks ?? [];
      expect(a).toStrictEqual(tasks[0]);
      expect(b).toStrictEqual(tasks[1]);
      expect(b !== undefined && 'output' in b).toBe(false);
    });

    it('keeps workflows, runs, tasks, events and leases across a reopen', async (context) => {
      const reopen = h.reopen;
      if (reopen === undefined) return context.skip(NO_REOPEN);
      const workflow = sampleWorkflow();
      await h.store.saveWorkflow(workflow, 1_000);
      await h.store.createRun(sampleRun('run_1'), [sampleTask('run_1', 'a')], [sampleEvent('run_1', 1)]);
      const done = sampleTask('run_1', 'a', { status: 'succeeded', output: { ok: true }, port: 'out' });
      await h.store.commit([
        { runId: 'run_1', run: { costUsd: 0.5 }, tasks: [done], events: [sampleEvent('run_1', 2)] },
      ]);
      await h.store.claimRuns('worker-1', 1_000, 31_000);

      const again = await reopen();
      expect(await again.getWorkflow(workflow.id, workflow.version)).toEqual({ workflow, savedAt: 1_000 });
      expect(await again.loadRun('run_1')).toEqual({
        run: sampleRun('run_1', { costUsd: 0.5, owner: 'worker-1', leaseUntil: 31_000 }),
        tasks: [done],
      });
      expect(await again.readEvents('run_1')).toEqual([sampleEvent('run_1', 1), sampleEvent('run_1', 2)]);
      expect(await again.claimRuns('worker-2', 2_000, 32_000)).toEqual([]);
      await expect(
        again.commit([{ runId: 'run_1', tasks: [], events: [sampleEvent('run_1', 2)] }]),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('rejects every call after close with a storage error, and closing again is harmless', async () => {
      await h.store.createRun(sampleRun('run_1'), [], []);
      await h.store.close();
      await expect(h.store.getRun('run_1')).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      await expect(
        h.store.commit([{ runId: 'run_1', tasks: [], events: [sampleEvent('run_1', 1)] }]),
      ).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      await expect(h.store.listRuns()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      await h.store.close();
    });
  });
}
