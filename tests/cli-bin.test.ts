import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../packages/cli');

describe('the baton command', () => {
  it('is a file committed with the package, so npm links it before anything is built', async () => {
    const manifest = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8')) as {
      bin: { baton: string };
    };
    const bin = join(cli, manifest.bin.baton);
    expect(existsSync(bin)).toBe(true);
    expect(manifest.bin.baton.startsWith('./dist/')).toBe(false);
    const { stdout } = await run(process.execPath, [bin, '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
