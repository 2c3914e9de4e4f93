import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This process's identity as the owner of runs: `host:pid:random`. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Whether the process behind an owner id is gone: it ran on this machine and its pid no longer exists.
 * Owners on other machines, or whose pid is alive, are left to their leases.
 */
export function isOwnerGone(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
