import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian and Ubuntu install each major version's server binaries: `<root>/<major>/bin`. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The system user a root process runs the server as (PostgreSQL refuses to run as root). */
export const POSTGRES_SYSTEM_USER = 'postgres';

/** A directory holding a PostgreSQL server's `initdb`, `pg_ctl` and `createdb`, and its major version. */
export interface PostgresBinaries {
  binDir: string;
  major: number;
}

const REQUIRED = ['initdb', 'pg_ctl', 'createdb'] as const;

function complete(binDir: string): boolean {
  return REQUIRED.every((name) => existsSync(join(binDir, name)));
}

/** The major version `pg_ctl --version` reports (`pg_ctl (PostgreSQL) 15.14` → 15), or 0 when unknown. */
function majorOf(binDir: string): number {
  try {
    const out = execFileSync(join(binDir, 'pg_ctl'), ['--version'], { encoding: 'utf8' });
    return Number(/(\d+)(?:\.\d+)?/.exec(out)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Finds the server binaries: the given directory, else the highest major version under Debian's
 * per-version directories, else the first `PATH` entry with `initdb` (other distributions, Homebrew).
 * Undefined when there are none.
 */
export function findPostgresBinaries(binDir?: string): PostgresBinaries | undefined {
  if (binDir !== undefined) return complete(binDir) ? { binDir, major: majorOf(binDir) } : undefined;
  if (existsSync(DEBIAN_ROOT)) {
    const versions = readdirSync(DEBIAN_ROOT)
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => b - a);
    for (const major of versions) {
      const dir = join(DEBIAN_ROOT, String(major), 'bin');
      if (complete(dir)) return { binDir: dir, major };
    }
  }
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && complete(dir)) return { binDir: dir, major: majorOf(dir) };
  }
  return undefined;
}

/** The user to run the server binaries as: the `postgres` system user when this process is root. */
export function serverUser(): string | undefined {
  return process.getuid?.() === 0 ? POSTGRES_SYSTEM_USER : undefined;
}

/** The uid and gid of a system user, or undefined when there is no such user. */
export function systemUserIds(user: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether {@link startPostgres} can work here: the binaries are installed and, when running as root, the
 * `postgres` system user exists to run them as. Pass it to `requireService`.
 */
export function postgresAvailable(binDir?: string): boolean {
  if (findPostgresBinaries(binDir) === undefined) return false;
  const user = serverUser();
  return user === undefined || systemUserIds(user) !== undefined;
}
