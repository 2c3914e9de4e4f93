import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isOwnerGone, processOwner } from './process-owner.js';

describe('process owners', () => {
  it('names this process by host and pid, and it is not gone', () => {
    const owner = processOwner();
    expect(owner.startsWith(`${hostname()}:${process.pid}:`)).toBe(true);
    expect(isOwnerGone(owner)).toBe(false);
  });

  it('knows a finished process on this machine is gone', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    expect(isOwnerGone(`${hostname()}:${child.stdout.toString()}:abcd`)).toBe(true);
  });

  it('leaves owners on other machines and unreadable ids to their leases', () => {
    expect(isOwnerGone('another-host:1:abcd')).toBe(false);
    expect(isOwnerGone('engine_1')).toBe(false);
  });
});
