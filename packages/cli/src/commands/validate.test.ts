import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runBaton } from '../testing/run-baton.js';

function tempFile(name: string, content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cli-'));
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const templates = readdirSync(join(repoRoot, 'templates'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => `templates/${f}`);

describe('baton validate', () => {
  it('accepts every template and exits 0', async () => {
    expect(templates.length).toBeGreaterThanOrEqual(5);
    const result = await runBaton(['validate', ...templates]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const t of templates) expect(result.stdout).toContain(`✓ ${t}`);
  });

  it('lists every problem of a broken workflow with its path and exits 1', async () => {
    const file = tempFile('broken.json', {
      id: 'broken',
      name: 'Broken',
      version: '1.0.0',
      nodes: [
        {
          id: 'extract',
          type: 'agent',
          agent: { id: 'builtin.requirements-extractor' },
          inputs: { text: '{{ input.rfp }}' },
        },
        { id: 'draft', type: 'transform', set: { text: 'nodes.extrat.output' } },
        { id: 'draft', type: 'transform', set: { n: '1 +' } },
      ],
      edges: [
        { from: 'extract', to: 'draft' },
        { from: 'draft', to: 'nowhere' },
      ],
    });
    const result = await runBaton(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗');
    expect(result.stdout).toMatch(/nodes\[2\]\.id: .*duplicate/i);
    expect(result.stdout).toMatch(
      /nodes\[1\]\.set\.text: .*unknown node "extrat" \(did you mean "extract"\?\)/,
    );
    expect(result.stdout).toMatch(/nodes\[2\]\.set\.n: /);
    expect(result.stdout).toMatch(/edges\[1\]\.to: .*"nowhere"/);
  });

  it('prints a machine-readable report with --json', async () => {
    const result = await runBaton(['validate', '--json', 'templates/rfp-response.json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; files: { file: string; ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.files[0]).toMatchObject({
      file: 'templates/rfp-response.json',
      ok: true,
      kind: 'workflow',
    });
  });

  it('checks agent definition files too', async () => {
    const result = await runBaton(['validate', 'packages/agents/definitions/builtin.summarizer.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('agent builtin.summarizer@1.0.0');
  });

  it('converts and validates a workflow written in the spec nested form', async () => {
    const file = tempFile('nested.json', {
      name: 'Nested',
      nodes: [
        {
          type: 'agent',
          agentId: 'builtin.summarizer',
          config: { inputs: { text: '{{ input.text }}' } },
          outputs: [],
        },
        {
          type: 'conditional',
          condition: 'input.urgent == true',
          trueBranch: [
            {
              type: 'agent',
              agentId: 'builtin.keyword-extractor',
              config: { inputs: { text: '{{ input.text }}' } },
            },
          ],
          falseBranch: [],
        },
      ],
    });
    const result = await runBaton(['validate', file]);
    expect(result.stdout).toContain('converted from the nested form');
  });

  it('exits 2 with a clear message for a missing file or bad JSON', async () => {
    const missing = await runBaton(['validate', 'no-such-file.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-file.json: no such file');
    const bad = await runBaton(['validate', tempFile('bad.json', '{ "id": "x",\n  "name": }')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON: .*line 2/);
  });

  it('exits 2 on an unknown option and 0 for --help', async () => {
    expect((await runBaton(['validate', '--frobnicate', 'x.json'])).code).toBe(2);
    const help = await runBaton(['validate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
  });
});
