import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBaton } from '../testing/run-baton.js';
import { parseInputPairs } from './run.js';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-cli-run-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('baton run', () => {
  it('runs the RFP template on the built-in agents and prints its outputs', async () => {
    const result = await runBaton([
      'run',
      'templates/rfp-response.json',
      '--input-file',
      'examples/inputs/rfp-response.json',
      '--data-dir',
      dataDir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ analyze/);
    expect(result.stdout).toMatch(/✓ completed in .* · cost \$/);
    expect(result.stdout).toContain('# Response to');
  });

  it('prints the final run document with --json', async () => {
    const result = await runBaton([
      'run',
      'templates/rfp-response.json',
      '--input-file',
      'examples/inputs/rfp-response.json',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const details = JSON.parse(result.stdout) as { run: { status: string }; tasks: unknown[] };
    expect(details.run.status).toBe('completed');
    expect(details.tasks.length).toBeGreaterThan(5);
  });

  it('exits 1 when the run fails and says why', async () => {
    const file = join(dataDir, 'fails.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'fails',
        name: 'Fails',
        version: '1.0.0',
        nodes: [{ id: 'boom', type: 'transform', set: { x: 'input.missing.deeper' } }],
      }),
    );
    const result = await runBaton(['run', file, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ failed/);
    expect(result.stdout).toMatch(/EXPRESSION_TYPE/);
  });

  it('refuses input that breaks the workflow input schema before a run exists, exit 1', async () => {
    const result = await runBaton([
      'run',
      'templates/rfp-response.json',
      '--data-dir',
      dataDir,
      '--input',
      'x=1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/input of workflow "rfp-response" is invalid/);
  });

  it('reads key=value inputs as JSON where they parse', () => {
    expect(parseInputPairs(['n=3', 'tags=["a"]', 'name=Ann'])).toEqual({ n: 3, tags: ['a'], name: 'Ann' });
    expect(() => parseInputPairs(['novalue'])).toThrow(/key=value/);
  });
});

describe('a run that waits for a person', () => {
  it('stays saved with exit 3 and goes on in another process after `baton runs decide`', async () => {
    const file = join(dataDir, 'approval.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'needs-approval',
        name: 'Needs approval',
        version: '1.0.0',
        nodes: [
          { id: 'ask', type: 'approval', assignee: 'role:finance', message: 'Pay {{ input.amount }}?' },
          { id: 'pay', type: 'transform', set: { paid: 'input.amount' } },
        ],
        edges: [{ from: 'ask', to: 'pay', port: 'approved' }],
        outputs: { paid: { value: 'nodes.pay.output.paid' } },
      }),
    );
    const waiting = await runBaton(['run', file, '--data-dir', dataDir, '--input', 'amount=120']);
    expect(waiting.code).toBe(3);
    expect(waiting.stdout).toContain('ask asks role:finance: Pay 120?');
    const runId = /baton runs decide (\S+) ask approved\|rejected/.exec(waiting.stdout)?.[1];
    expect(runId).toBeDefined();

    const wrong = await runBaton(['runs', 'decide', runId ?? '', 'pay', 'approved', '--data-dir', dataDir]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('waiting: ask');

    const decided = await runBaton([
      'runs',
      'decide',
      runId ?? '',
      'ask',
      'approved',
      '--by',
      'ann',
      '--data-dir',
      dataDir,
    ]);
    expect(decided.stderr).toBe('');
    expect(decided.code).toBe(0);
    expect(decided.stdout).toMatch(/paid: 120/);
  });
});

describe('baton runs', () => {
  it('lists runs newest first and shows one with its tasks', async () => {
    const list = await runBaton(['runs', 'list', '--data-dir', dataDir, '--json']);
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout) as { id: string; status: string }[];
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const first = runs.find((r) => r.status === 'completed');
    const show = await runBaton(['runs', 'show', first?.id ?? '', '--data-dir', dataDir, '--events']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/progress \d+\/\d+ tasks/);
    expect(show.stdout).toContain('run.completed');
  });

  it('says so when a run does not exist', async () => {
    const show = await runBaton(['runs', 'show', 'run_nope', '--data-dir', dataDir]);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('no run "run_nope"');
  });

  it('refuses an unknown status filter with a usage error', async () => {
    const list = await runBaton(['runs', 'list', '--status', 'sleeping', '--data-dir', dataDir]);
    expect(list.code).toBe(2);
  });
});
