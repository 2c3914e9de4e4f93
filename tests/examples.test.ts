import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

describe('examples', () => {
  it('quickstart runs a function agent beside a built-in one and prints the completed run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-example-'));
    try {
      const { stdout } = await run(process.execPath, [join(root, 'examples/dist/quickstart.js')], {
        env: { ...process.env, BATON_DATA_DIR: dataDir },
      });
      expect(stdout).toContain('run.completed');
      expect(stdout).toMatch(/^completed /m);
      expect(stdout).toContain('"words": 19');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
