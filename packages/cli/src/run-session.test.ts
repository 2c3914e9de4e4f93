import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBaton, startBaton } from './testing/run-baton.js';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-cli-session-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const baton = (...args: string[]) => runBaton([...args, '--data-dir', dataDir]);

function workflowFile(name: string, document: object): string {
  const file = join(dataDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

describe('baton run --step-through', () => {
  it('holds every agent task until `baton runs step` from another process dispatches it', async () => {
    const file = workflowFile('hello', {
      id: 'hello',
      name: 'Hello',
      version: '1.0.0',
      inputs: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      nodes: [
        {
          id: 'summary',
          type: 'agent',
          agent: { id: 'builtin.summarizer' },
          inputs: { text: '{{ input.text }}' },
        },
        {
          id: 'keywords',
          type: 'agent',
          agent: { id: 'builtin.keyword-extractor' },
          inputs: { text: '{{ input.text }}' },
        },
      ],
      outputs: { summary: { value: 'nodes.summary.output.summary' } },
    });
    const run = startBaton([
      'run',
      file,
      '--step-through',
      '--input',
      'text=Baton runs agents. They work in parallel.',
      '--data-dir',
      dataDir,
    ]);
    const held = await run.printed(/held keywords — run "baton runs step (\S+)" to dispatch it\n/);
    const runId = /baton runs step (\S+)"/.exec(held)?.[1] ?? '';
    expect(held).toContain(`held summary — run "baton runs step ${runId}" to dispatch it\n`);

    // A held task's input can be edited before it starts; the live view notes every act.
    await baton('runs', 'pause', runId, '--by', 'ana', '--reason', 'edit first');
    await run.printed('⏸ paused by ana: edit first\n');
    const edited = await baton('runs', 'edit-input', runId, 'summary', 'text=Edited by hand. Then stepped.');
    expect(edited.stdout).toBe(
      `edited the input of task summary of run ${runId}: text="Edited by hand. Then stepped." (by cli)\n`,
    );
    await baton('runs', 'resume', runId, '--by', 'ana');
    await run.printed('▶ resumed by ana\n');

    const first = await baton('runs', 'step', runId, '--by', 'ana');
    const second = await baton('runs', 'step', runId, '--by', 'ana');
    const stepped = [first, second].map((r) => /dispatched (\S+) \(by ana\)\n$/.exec(r.stdout)?.[1]);
    expect(stepped.sort()).toEqual(['keywords', 'summary']);

    const result = await run.exit;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '• cli edited the input of summary {"text":"Edited by hand. Then stepped."}',
    );
    expect(result.stdout).toMatch(/✓ completed in .*\n[\s\S]*summary: Edited by hand\. Then stepped\./);
    const show = await baton('runs', 'show', runId);
    expect(show.stdout).toMatch(/step summary · by ana\n/);
    expect(show.stdout).toMatch(/step keywords · by ana\n/);
  });
});

describe('baton run with policies.onFailure "rollback"', () => {
  it('shows the rollback and its compensations live and exits 1 when the run ends rolled_back', async () => {
    const file = workflowFile('undo', {
      id: 'undo',
      name: 'Undo',
      version: '1.0.0',
      policies: { onFailure: 'rollback' },
      nodes: [
        {
          id: 'reserve',
          type: 'transform',
          set: { seats: '2' },
          compensation: { type: 'transform', set: { released: 'output.seats' } },
        },
        { id: 'boom', type: 'transform', set: { x: 'input.missing.deeper' } },
      ],
      edges: [{ from: 'reserve', to: 'boom' }],
    });
    const result = await baton('run', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/↩ rolling back: .* · undoing reserve\n/);
    expect(result.stdout).toContain('  ↩ undo reserve\n  ✓ undid reserve\n↩ rolled back · undid reserve\n');
    expect(result.stdout).toMatch(/\n↩ rolled back in .* · run \S+\nEXPRESSION_TYPE: /);
  });
});
