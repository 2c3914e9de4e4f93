import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputRequiredError, inputReplyOf, type AgentInvocation } from '@baton/core';
import { createBaton, type Baton } from '@baton/embedded';
import { testAgent } from '../testing/gated-agent.js';
import { runBaton } from '../testing/run-baton.js';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-cli-reply-'));
/** The process that drives the runs; the `baton runs reply` commands open the data directory on their own. */
let driver: Baton;

/** Lets the attempts that carry on with an answer finish; until then the run is still running. */
let release: () => void = () => undefined;
let released = Promise.resolve();

/** Asks which year unless it carries on with a person's answer, then reports for that answer. */
async function asksForYear(input: Readonly<Record<string, unknown>>, ctx: AgentInvocation): Promise<unknown> {
  const answer = inputReplyOf(ctx.checkpoint);
  if (!answer) throw new InputRequiredError('Which year?', { details: { topic: input['topic'] } });
  await released;
  return { report: `${String(answer.request['topic'])} in ${JSON.stringify(answer.reply)}` };
}

const yearly = {
  id: 'yearly',
  name: 'Yearly report',
  version: '1.0.0',
  nodes: [{ id: 'report', type: 'agent', agent: { id: 'test.asking' }, inputs: { topic: 'tides' } }],
  edges: [],
  outputs: { report: { value: 'nodes.report.output.report' } },
};

beforeAll(async () => {
  driver = await createBaton({
    dataDir,
    agents: [{ definition: testAgent('test.asking'), handler: asksForYear }],
  });
});
afterAll(async () => {
  await driver.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const baton = (...args: string[]) => runBaton([...args, '--data-dir', dataDir]);

describe('baton runs reply', () => {
  it('answers an agent that asked for input, as text or JSON, and follows the run to its end', async () => {
    for (const [answer, flags, report] of [
      ['2024', [], 'tides in "2024"'],
      ['{"year":2025}', ['--data'], 'tides in {"year":2025}'],
    ] as const) {
      released = new Promise((resolve) => (release = resolve));
      const run = await driver.startRun(yearly);
      await expect.poll(async () => (await driver.getRun(run.id))?.run.status).toBe('waiting');
      const shown = await baton('runs', 'show', run.id);
      expect(shown.stdout).toContain('report');

      const replied = await baton('runs', 'reply', run.id, 'report', answer, ...flags, '--by', 'ana');
      expect(replied.stderr).toBe('');
      expect(replied.code).toBe(0);
      expect(replied.stdout).toContain(
        `recorded for report of run ${run.id}; the process that drives it goes on`,
      );
      release();
      const done = await driver.waitForRun(run.id);
      expect(done.output).toEqual({ report });
      const decided = (await driver.readEvents(run.id)).find((e) => e.type === 'approval.decided');
      expect(decided).toMatchObject({ decision: 'reply', by: 'ana' });
    }
  });

  it('refuses an answer that is not JSON with --data, a task that is not waiting, and a retry of a question', async () => {
    const run = await driver.startRun(yearly);
    await expect.poll(async () => (await driver.getRun(run.id))?.run.status).toBe('waiting');
    const notJson = await baton('runs', 'reply', run.id, 'report', '{year', '--data');
    expect(notJson.code).not.toBe(0);
    expect(notJson.stderr).toMatch(/--data: the answer is not JSON/);
    const retry = await baton('runs', 'decide', run.id, 'report', 'retry');
    expect(retry.code).not.toBe(0);
    expect(retry.stderr).toMatch(/not a decision on an agent's request for input; choose reply, skip, abort/);
    expect((await driver.getRun(run.id))?.run.status).toBe('waiting');
    await baton('runs', 'decide', run.id, 'report', 'abort');
    expect((await driver.waitForRun(run.id)).status).toBe('failed');
    const again = await baton('runs', 'reply', run.id, 'report', '2024');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/is not waiting for a decision/);
  });
});

describe('baton approvals', () => {
  it('lists what waits for a person, oldest first, with the command that answers each', async () => {
    const approval = {
      id: 'pay',
      name: 'Pay',
      version: '1.0.0',
      nodes: [{ id: 'ask', type: 'approval', assignee: 'role:finance', message: 'Pay the invoice?' }],
    };
    const paying = await driver.startRun(approval);
    const asking = await driver.startRun(yearly);
    for (const run of [paying, asking])
      await expect.poll(async () => (await driver.getRun(run.id))?.run.status).toBe('waiting');

    const listed = await baton('approvals');
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`baton runs decide ${paying.id} ask approved|rejected`);
    expect(listed.stdout).toContain('approval for role:finance');
    expect(listed.stdout).toContain(`baton runs reply ${asking.id} report "<answer>"`);
    expect(listed.stdout).toContain('test.asking@1.0.0 asks: Which year?');
    expect(listed.stdout.indexOf(paying.id)).toBeLessThan(listed.stdout.indexOf(asking.id));

    const mine = await baton('approvals', '--assignee', 'role:finance', '--json');
    expect(JSON.parse(mine.stdout)).toMatchObject([{ runId: paying.id, taskKey: 'ask', kind: 'approval' }]);
    const none = await baton('approvals', '--run', 'run_unknown');
    expect(none.stdout).toBe('Nothing waits for a person.\n');

    await driver.decide(paying.id, 'ask', 'approved', 'ana');
    await driver.reply(asking.id, 'report', '2024', { by: 'ana' });
    await Promise.all([driver.waitForRun(paying.id), driver.waitForRun(asking.id)]);
    expect((await baton('approvals')).stdout).toBe('Nothing waits for a person.\n');
  });
});
