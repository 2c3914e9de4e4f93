import { describe, expect, it } from 'vitest';
import { runAgent, sampleInput } from '../samples.test.fixtures.js';
import { parseUnifiedDiff } from './unified-diff.js';

interface Finding {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
}

const cicd = sampleInput('engineering-cicd');

/** A one-file diff adding `lines` to `path`. */
function diffAdding(path: string, lines: readonly string[]): string {
  return [
    `diff --git a/${path} b/${path}`,
    `--- a/${path}`,
    `+++ b/${path}`,
    `@@ -1,1 +1,${lines.length + 1} @@`,
    ' // existing line',
    ...lines.map((l) => `+${l}`),
  ].join('\n');
}

describe('parseUnifiedDiff', () => {
  it('reads files, added lines with new-file numbers, and counts, even when hunk headers miscount', () => {
    // The sample's hunk headers claim more lines than the hunks hold; the next file header ends a hunk.
    const files = parseUnifiedDiff(cicd['diff'] as string);
    expect(files.map((f) => [f.path, f.additions, f.deletions])).toEqual([
      ['src/refunds/refund-client.ts', 22, 7],
      ['src/refunds/refund-client.test.ts', 21, 0],
      ['package.json', 1, 1],
    ]);
    expect(files[0]?.added.find((a) => a.text.includes('TODO'))?.line).toBe(23);
  });

  it('reads plain diff -u output with several files and ignores text around it', () => {
    const diff =
      'Subject: fix\n\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-old\n+new\n--- a/y.py\n+++ b/y.py\n@@ -0,0 +1 @@\n+added\n-- \nsig';
    expect(parseUnifiedDiff(diff).map((f) => [f.path, f.additions, f.deletions])).toEqual([
      ['x.py', 1, 1],
      ['y.py', 1, 0],
    ]);
  });
});

describe('builtin.code-reviewer', () => {
  it('approves the sample change with one low finding for its TODO', async () => {
    const out = await runAgent('builtin.code-reviewer', {
      diff: cicd['diff'],
      files: cicd['files'],
      blockingSeverity: 'high',
    });
    expect(out['findings']).toEqual([
      {
        ruleId: 'CR-TODO',
        severity: 'low',
        message: expect.stringContaining('TODO') as unknown,
        file: 'src/refunds/refund-client.ts',
        line: 23,
      },
    ]);
    expect(out).toMatchObject({
      score: 95,
      approved: true,
      stats: { filesChanged: 3, additions: 42, deletions: 4 },
    });
  });

  it('flags leftover debugging, disabled checks, any, eval and empty catch blocks on the lines that add them', async () => {
    const diff = diffAdding('src/app.ts', [
      'console.log(user);',
      '// eslint-disable-next-line',
      'const x = y as any;',
      'eval(code);',
      'try { run(); } catch (e) {}',
    ]);
    const out = await runAgent('builtin.code-reviewer', { diff });
    const findings = out['findings'] as Finding[];
    expect(findings.filter((f) => f.file === 'src/app.ts').map((f) => [f.ruleId, f.line])).toEqual([
      ['CR-DEBUG-LEFTOVER', 2],
      ['CR-CHECKS-DISABLED', 3],
      ['CR-ANY-TYPE', 4],
      ['CR-EVAL', 5],
      ['CR-EMPTY-CATCH', 6],
    ]);
    expect(findings.map((f) => f.ruleId)).toContain('CR-NO-TESTS');
    expect(out['approved']).toBe(false);
  });

  it('blocks only at or above blockingSeverity, and scores 100 minus the weights', async () => {
    const diff = diffAdding('src/a.test.ts', ['// TODO tidy']);
    expect(await runAgent('builtin.code-reviewer', { diff, blockingSeverity: 'low' })).toMatchObject({
      score: 95,
      approved: false,
    });
    expect(await runAgent('builtin.code-reviewer', { diff, blockingSeverity: 'medium' })).toMatchObject({
      approved: true,
    });
  });

  it('flags a change larger than maxChangedLines', async () => {
    const out = await runAgent('builtin.code-reviewer', {
      diff: diffAdding('README.md', ['a', 'b', 'c']),
      maxChangedLines: 2,
    });
    expect(out['findings']).toEqual([
      expect.objectContaining({ ruleId: 'CR-LARGE-CHANGE', file: '', line: 0 }),
    ]);
  });
});

describe('builtin.security-scanner', () => {
  it('passes the sample change: undici 6.21.1 is outside the advisory range', async () => {
    const out = await runAgent('builtin.security-scanner', {
      diff: cicd['diff'],
      dependencies: cicd['dependencies'],
      advisories: cicd['advisories'],
    });
    expect(out).toEqual({ findings: [], counts: { critical: 0, high: 0, medium: 0, low: 0 }, passed: true });
  });

  it('matches a dependency inside an advisory range', async () => {
    const out = await runAgent('builtin.security-scanner', {
      diff: diffAdding('package.json', ['"undici": "5.1.0"']),
      dependencies: [{ name: 'undici', version: 'v5.1' }],
      advisories: cicd['advisories'],
    });
    expect(out['findings']).toEqual([
      expect.objectContaining({ ruleId: 'SEC-VULNERABLE-DEPENDENCY', severity: 'medium', file: '', line: 0 }),
    ]);
    expect(out).toMatchObject({ counts: { medium: 1 }, passed: true });
  });

  it('finds secrets, shell injection and disabled TLS and fails on them', async () => {
    const diff = diffAdding('src/deploy.js', [
      "const key = 'AKIAIOSFODNN7EXAMPLE';",
      "const password = 'hunter22';",
      "const password2 = 'changeme';",
      'exec("rm -rf " + dir);',
      'const agent = new https.Agent({ rejectUnauthorized: false });',
      "fetch('http://api.internal.corp/v1');",
      "fetch('http://localhost:3000/');",
    ]);
    const out = await runAgent('builtin.security-scanner', { diff });
    expect((out['findings'] as Finding[]).map((f) => [f.ruleId, f.severity, f.line])).toEqual([
      ['SEC-CLOUD-KEY', 'critical', 2],
      ['SEC-HARDCODED-PASSWORD', 'high', 3],
      ['SEC-SHELL-INJECTION', 'high', 5],
      ['SEC-TLS-DISABLED', 'high', 6],
      ['SEC-PLAIN-HTTP', 'low', 7],
    ]);
    expect(out).toMatchObject({ counts: { critical: 1, high: 3, medium: 0, low: 1 }, passed: false });
  });

  it('fails only at or above failOn', async () => {
    const diff = diffAdding('src/a.ts', ["fetch('http://api.internal.corp/v1');"]);
    expect((await runAgent('builtin.security-scanner', { diff }))['passed']).toBe(true);
    expect((await runAgent('builtin.security-scanner', { diff, failOn: 'low' }))['passed']).toBe(false);
  });
});
