import { readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What a service directory's `owner` file holds: the host and the process that made it. */
export function ownerTag(): string {
  return `${hostname()} ${process.pid}\n`;
}

/** Whether the process named by a directory's `owner` file is gone. Unknown owners count as alive. */
function ownerGone(dir: string): boolean {
  let tag: string;
  try {
    tag = readFileSync(join(dir, 'owner'), 'utf8');
  } catch {
    // No owner file yet: a process is creating the directory right now.
    return false;
  }
  const [host, pidText] = tag.trim().split(' ');
  const pid = Number(pidText);
  // Another host (a container sharing the temporary directory) has its own process ids.
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const swept = new Set<string>();

/**
 * Once per process and prefix, removes directories `parent/<prefix>*` whose owning process is gone — a test
 * process killed before its clean-up ran leaves its server and data behind. `remove` stops what still runs
 * there and deletes the directory; its failures are ignored, as the directory may belong to another user.
 */
export function removeStaleDirs(parent: string, prefix: string, remove: (dir: string) => void): void {
  if (swept.has(`${parent}\0${prefix}`)) return;
  swept.add(`${parent}\0${prefix}`);
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    if (!ownerGone(dir)) continue;
    try {
      remove(dir);
    } catch {
      // Not ours to delete after all (another user's), or already gone.
    }
  }
}
