import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@baton/core';
import { runBaton } from '../testing/run-baton.js';
import { printReplay } from './runs-debug.js';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-cli-replay-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

let rfpRun = '';
beforeAll(async () => {
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
  rfpRun = (JSON.parse(result.stdout) as { run: { id: string } }).run.id;
});

describe('baton runs replay', () => {
  it('prints every step of a finished run and says the replay matches its trace', async () => {
    const result = await runBaton(['runs', 'replay', rfpRun, '--data-dir', dataDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Replay of run ${rfpRun}`);
    expect(result.stdout).toMatch(/#0 +seq 2–\d+ +start/);
    expect(result.stdout).toMatch(/#1 +seq \d+(–\d+)? +agent\.succeeded \S+ \(attempt 1, \$[\d.]+\)\n/);
    expect(result.stdout).toMatch(/Δ nodes\.\S+ succeeded /);
    expect(result.stdout).toMatch(/Δ status running → completed/);
    expect(result.stdout).toMatch(/✓ replay matches the recorded trace \(\d+ events\)\n$/);
  });

  it('prints the steps with their contexts as JSON', async () => {
    const result = await runBaton(['runs', 'replay', rfpRun, '--data-dir', dataDir, '--json']);
    expect(result.code).toBe(0);
    const replay = JSON.parse(result.stdout) as {
      matches: boolean;
      events: number;
      steps: {
        input: { type: string };
        events: { seq: number }[];
        context: { status: string; nodes: object };
      }[];
    };
    expect(replay.matches).toBe(true);
    expect(replay.steps[0]?.input).toEqual({ type: 'start' });
    expect(replay.steps.flatMap((s) => s.events).length).toBe(replay.events - 1);
    expect(replay.steps.at(-1)?.context.status).toBe('completed');
    expect(Object.keys(replay.steps.at(-1)?.context.nodes ?? {}).length).toBeGreaterThan(3);
  });

  it("replays a person's decision made in another process", async () => {
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
      }),
    );
    const waiting = await runBaton(['run', file, '--data-dir', dataDir, '--input', 'amount=120']);
    expect(waiting.code).toBe(3);
    const runId = /baton runs decide (\S+) ask/.exec(waiting.stdout)?.[1] ?? '';
    const decided = await runBaton([
      'runs',
      'decide',
      runId,
      'ask',
      'approved',
      '--by',
      'ann',
      '--data-dir',
      dataDir,
    ]);
    expect(decided.code).toBe(0);
    const result = await runBaton(['runs', 'replay', runId, '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/approval\.decide ask \{"decision":"approved","by":"ann"\}/);
    expect(result.stdout).toContain('Δ nodes.pay succeeded {"paid":120}');
    expect(result.stdout).toContain('✓ replay matches the recorded trace');
  });

  it('exits 1 and says so for a run that does not exist', async () => {
    const result = await runBaton(['runs', 'replay', 'no-such-run', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no run "no-such-run"/);
    expect(result.stdout).toBe('');
  });

  it('shows where a replay parts from the log, down to the first differing value', async () => {
    const started = (input: unknown) =>
      ({
        type: 'task.started',
        runId: 'r',
        seq: 4,
        at: 1,
        taskKey: 'b',
        nodeId: 'b',
        attempt: 1,
        input,
      }) as RunEvent;
    let stdout = '';
    const io = {
      stdout: (t: string) => (stdout += t),
      stderr: () => undefined,
      cwd: '.',
      env: {},
      isTty: false,
    };
    await printReplay(
      io,
      'r',
      9,
      {
        steps: [],
        matches: false,
        divergence: {
          seq: 4,
          expected: started({ facts: ['a', 'b'] }),
          actual: started({ facts: ['a', 'CHANGED'] }),
          message: 'task.started of b differs in input',
        },
      },
      false,
    );
    expect(stdout).toContain('✗ replay diverges at seq 4: task.started of b differs in input');
    expect(stdout).toContain('at input.facts[1]\n  log:    "b"\n  replay: "CHANGED"\n');
  });
});
