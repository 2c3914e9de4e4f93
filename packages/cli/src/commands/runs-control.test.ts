import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@baton/core';
import { createBaton, type Baton } from '@baton/embedded';
import { GatedAgent, testAgent } from '../testing/gated-agent.js';
import { runBaton } from '../testing/run-baton.js';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-cli-control-'));
const gate = new GatedAgent();
/** The process that drives the runs; every `baton runs …` command below opens the data directory on its own. */
let driver: Baton;

beforeAll(async () => {
  driver = await createBaton({
    dataDir,
    agents: [
      { definition: testAgent('test.gated'), handler: gate.handler },
      { definition: testAgent('test.quick'), handler: (input) => ({ ...input }) },
    ],
  });
});
afterAll(async () => {
  await driver.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const baton = (...args: string[]) => runBaton([...args, '--data-dir', dataDir]);

/** Two gated steps; the second echoes the `note` variable, so a variable set while paused shows in the output. */
const twoSteps = {
  id: 'two-steps',
  name: 'Two steps',
  version: '1.0.0',
  variables: { note: { schema: { type: 'string' }, default: 'none' } },
  nodes: [
    { id: 'first', type: 'agent', agent: { id: 'test.gated' }, inputs: { step: 'first' } },
    { id: 'second', type: 'agent', agent: { id: 'test.gated' }, inputs: { note: '{{ vars.note }}' } },
  ],
  edges: [{ from: 'first', to: 'second' }],
  outputs: { note: { value: 'nodes.second.output.note' } },
};

/** Resolves with the first event of `type` this driver publishes for the run. */
function next(runId: string, type: RunEvent['type']): Promise<RunEvent> {
  return new Promise((resolve) => {
    const stop = driver.subscribe(runId, (event) => {
      if (event.type !== type) return;
      stop();
      resolve(event);
    });
  });
}

describe('operator controls from another process', () => {
  it('pauses a run the driver is running, audits who and why, sets a variable, and resumes it', async () => {
    const run = await driver.startRun(twoSteps);
    await gate.started(run.id, 'first');

    const early = await baton('runs', 'set-var', run.id, 'note=checked');
    expect(early.code).toBe(1);
    // The reason's code in brackets is asserted exactly for a run this process drives, further below.
    expect(early.stderr).toMatch(
      new RegExp(
        `^baton: set-var refused for run ${run.id}: pause the run before editing its variables \\[INVALID_STATE\\]\\n$`,
      ),
    );

    const appliedByDriver = next(run.id, 'run.paused');
    const paused = await runBaton(
      ['runs', 'pause', run.id, '--reason', 'check the figures', '--data-dir', dataDir],
      { USER: 'ana' },
    );
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toBe(`paused run ${run.id} (by ana: check the figures)\n`);
    expect(await appliedByDriver).toMatchObject({ by: 'ana', reason: 'check the figures' });

    const show = await baton('runs', 'show', run.id);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^${run.id} +paused +two-steps@1\\.0\\.0`));
    expect(show.stdout).toMatch(
      /\nAudit\n {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}pause · by ana: check the figures\n/,
    );

    const set = await baton('runs', 'set-var', run.id, 'note=checked', '--by', 'ana');
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe(`set note="checked" on run ${run.id} (by ana)\n`);

    // The step in flight finishes while paused; nothing new starts until the run is resumed.
    const firstDone = next(run.id, 'task.succeeded');
    gate.release(run.id, 'first');
    await firstDone;
    expect(gate.calls).not.toContain(`${run.id}:second`);

    const resumed = await baton('runs', 'resume', run.id, '--by', 'ben');
    expect(resumed.stdout).toBe(`resumed run ${run.id} (by ben)\n`);
    await gate.started(run.id, 'second');
    gate.release(run.id, 'second');
    const done = await driver.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.output).toEqual({ note: 'checked' });

    const audit = await baton('runs', 'show', run.id);
    expect(audit.stdout).toMatch(
      /pause · by ana: check the figures\n.*set-var \{"note":"checked"\} · by ana\n.*resume · by ben\n/,
    );
  });

  it('skips a running task with the output given, and the run goes on with it', async () => {
    const run = await driver.startRun(twoSteps);
    await gate.started(run.id, 'first');
    const skipped = await baton(
      'runs',
      'skip-task',
      run.id,
      'first',
      '--output',
      '{"step":"by hand"}',
      '--by',
      'ana',
      '--reason',
      'done manually',
    );
    expect(skipped.stderr).toBe('');
    expect(skipped.stdout).toBe(
      `skipped task first of run ${run.id} with output {"step":"by hand"} (by ana: done manually)\n`,
    );
    await gate.started(run.id, 'second');
    gate.release(run.id, 'second');
    expect((await driver.waitForRun(run.id)).status).toBe('completed');
    const details = await driver.getRun(run.id);
    expect(details?.tasks.find((t) => t.key === 'first')?.output).toEqual({ step: 'by hand' });
    const show = await baton('runs', 'show', run.id);
    expect(show.stdout).toContain('skip-task first {"step":"by hand"} · by ana: done manually');
  });

  it('rolls a run back: compensations run newest first and the run ends rolled_back', async () => {
    const saga = {
      id: 'saga',
      name: 'Saga',
      version: '1.0.0',
      variables: { reserved: { schema: { type: 'integer' }, default: 0 } },
      nodes: [
        {
          id: 'reserve',
          type: 'transform',
          set: { seats: '2' },
          assign: { reserved: 'output.seats' },
          compensation: { type: 'transform', set: { reserved: '0' } },
        },
        {
          id: 'charge',
          type: 'agent',
          agent: { id: 'test.quick' },
          inputs: { amount: 120 },
          compensation: {
            type: 'agent',
            agent: { id: 'test.quick' },
            inputs: { refund: '{{ output.amount }}' },
          },
        },
        { id: 'ship', type: 'agent', agent: { id: 'test.gated' }, inputs: {} },
      ],
      edges: [
        { from: 'reserve', to: 'charge' },
        { from: 'charge', to: 'ship' },
      ],
    };
    const run = await driver.startRun(saga);
    await gate.started(run.id, 'ship');
    const rolled = await baton('runs', 'rollback', run.id, '--by', 'ana', '--reason', 'order withdrawn');
    expect(rolled.stderr).toBe('');
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toBe(
      `rolling back run ${run.id} (by ana: order withdrawn)\nrolled back run ${run.id}: undid charge, reserve\n`,
    );
    const done = await driver.waitForRun(run.id);
    expect(done.status).toBe('rolled_back');
    expect(done.vars['reserved']).toBe(0);

    const show = await baton('runs', 'show', run.id);
    expect(show.stdout).toMatch(/ rolled_back /);
    expect(show.stdout).toMatch(/Compensations order withdrawn · by ana\n/);
    expect(show.stdout).toMatch(/undo charge +succeeded test\.quick@1\.0\.0/);
    expect(show.stdout).toMatch(/undo reserve +succeeded transform/);
    expect(show.stdout).toContain('rollback · by ana: order withdrawn');
    const list = await baton('runs', 'list', '--status', 'rolled_back', '--json');
    expect((JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id)).toContain(run.id);
  });

  it('refuses what the run cannot take: a finished run, an unknown run or task, bad output JSON', async () => {
    const run = await driver.startRun(twoSteps);
    await gate.started(run.id, 'first');
    const notEscalated = await baton('runs', 'retry-task', run.id, 'first');
    expect(notEscalated.code).toBe(1);
    expect(notEscalated.stderr).toMatch(
      /retry-task refused for run \S+: only a task waiting for a person after a failure can be retried; first is running \[INVALID_STATE\]/,
    );
    const unknownTask = await baton('runs', 'edit-input', run.id, 'nope', 'x=1');
    expect(unknownTask.stderr).toMatch(/edit-input refused .*: the run has no task "nope" \[NOT_FOUND\]/);
    const notStepped = await baton('runs', 'step', run.id);
    expect(notStepped.stderr).toMatch(
      /step refused .*: the run is not in step-through mode \[INVALID_STATE\]/,
    );

    const cancelled = await baton('runs', 'cancel', run.id, '--by', 'ana', '--reason', 'wrong input');
    expect(cancelled.stdout).toBe(`cancelled run ${run.id} (by ana: wrong input)\n`);
    expect((await driver.waitForRun(run.id)).status).toBe('cancelled');
    const finished = await baton('runs', 'resume', run.id);
    expect(finished.code).toBe(1);
    expect(finished.stderr).toMatch(/resume refused for run \S+: .*cancelled \[RUN_FINISHED\]/);

    const missing = await baton('runs', 'pause', 'run_missing');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no run "run_missing"/);
    const badJson = await baton('runs', 'skip-task', run.id, 'first', '--output', '{oops');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/--output must be JSON/);
  });
});

describe('a control for a run nobody drives', () => {
  const alone = mkdtempSync(join(tmpdir(), 'baton-cli-alone-'));
  afterAll(() => rmSync(alone, { recursive: true, force: true }));

  it('is applied by the process that sends it, durably, and refused with the reason when it does not fit', async () => {
    const file = join(alone, 'approval.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'needs-approval',
        name: 'Needs approval',
        version: '1.0.0',
        nodes: [{ id: 'ask', type: 'approval', assignee: 'role:finance', message: 'Pay?' }],
      }),
    );
    const waiting = await runBaton(['run', file, '--data-dir', alone]);
    expect(waiting.code).toBe(3);
    const runId = /baton runs decide (\S+) ask/.exec(waiting.stdout)?.[1] ?? '';

    const notPaused = await runBaton(['runs', 'resume', runId, '--data-dir', alone]);
    expect(notPaused.code).toBe(1);
    expect(notPaused.stderr).toBe(
      `baton: resume refused for run ${runId}: the run is waiting, not paused [INVALID_STATE]\n`,
    );

    const paused = await runBaton(['runs', 'pause', runId, '--by', 'ana', '--data-dir', alone]);
    expect(paused.stdout).toBe(`paused run ${runId} (by ana)\n`);
    const show = await runBaton(['runs', 'show', runId, '--data-dir', alone]);
    expect(show.stdout).toMatch(new RegExp(`^${runId} +paused `));
    expect(show.stdout).toContain('pause · by ana');
  });
});
