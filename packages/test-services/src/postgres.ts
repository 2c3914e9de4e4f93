import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { findPostgresBinaries, serverUser, systemUserIds } from './postgres-binaries.js';
import { CommandError, runCommand, runCommandSync } from './run-command.js';
import { ownerTag, removeStaleDirs } from './stale-dirs.js';

/** How to start a throwaway server. */
export interface StartPostgresOptions {
  /** The database to create and put in the URL (default `baton`). */
  database?: string;
  /** Where `initdb` and `pg_ctl` are; default: the highest installed version (see `findPostgresBinaries`). */
  binDir?: string;
  /** Extra server settings (`postgresql.conf` names), e.g. `{ max_connections: 20 }`. */
  settings?: Readonly<Record<string, string | number | boolean>>;
}

/** A running throwaway PostgreSQL server. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`; trust authentication, so no password. */
  readonly url: string;
  readonly port: number;
  /** The server's major version. */
  readonly major: number;
  /** Stops the server at once (no clean shutdown) and deletes its data. Calling it again does nothing. */
  stop(): Promise<void>;
  /**
   * Stops the server at once and starts the same cluster on the same port: open connections break and the
   * server recovers from its write-ahead log, as after a crash. Committed data stays.
   */
  restart(): Promise<void>;
}

const DIR_PREFIX = 'baton-pg-';
const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 3;

/**
 * Settings for a server that lives for one test run. `fsync` and `full_page_writes` are off: they only protect
 * against power loss and OS crashes, which a throwaway cluster does not survive anyway. `synchronous_commit`
 * stays on, so a commit that returned is in the write-ahead log and survives `restart()` (an immediate stop),
 * which the crash-recovery tests rely on.
 */
const TEST_SETTINGS: Readonly<Record<string, string | number | boolean>> = {
  listen_addresses: HOST,
  fsync: false,
  full_page_writes: false,
  max_connections: 100,
  log_min_messages: 'warning',
};

/** One cluster on disk: its directories and whether its server runs. */
interface Cluster {
  root: string;
  dataDir: string;
  log: string;
  binDir: string;
  user: string | undefined;
  running: boolean;
}

/** Clusters of this process that are not yet deleted; stopped from `process.on('exit')` as a last resort. */
const live = new Set<Cluster>();
let exitHookInstalled = false;

/**
 * Starts a throwaway PostgreSQL server from the system binaries: a fresh cluster (`initdb`) in a new temporary
 * directory, listening on a free port on 127.0.0.1 with its unix socket inside that directory, and one
 * database. As root it runs as the `postgres` system user, since PostgreSQL refuses to run as root.
 *
 * Call `stop()` in `afterAll`. Should a test process exit without it, an exit hook stops the server, and the
 * next start deletes clusters left behind by processes that were killed.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binaries = findPostgresBinaries(options.binDir);
  if (binaries === undefined) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) were not found; install PostgreSQL (Debian: apt-get install postgresql)',
    );
  }
  removeStaleDirs(tmpdir(), DIR_PREFIX, (dir) => stopSync(clusterIn(dir, binaries.binDir)));
  installExitHook();

  const root = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(root, 'owner'), ownerTag());
  const cluster: Cluster = { ...clusterIn(root, binaries.binDir), running: false };
  live.add(cluster);
  try {
    const socketDir = join(root, 'socket');
    mkdirSync(socketDir, { mode: 0o700 });
    if (cluster.user !== undefined) handOver(cluster.user, [root, socketDir]);
    // --no-sync: a throwaway cluster need not wait for its files to reach the disk.
    const init = [
      '-D',
      cluster.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ];
    await pg(cluster, 'initdb', init);
    await appendFile(join(cluster.dataDir, 'postgresql.conf'), "\ninclude = 'baton-test.conf'\n");
    const settings = { ...TEST_SETTINGS, unix_socket_directories: socketDir, ...options.settings };
    const port = await startOnFreePort(cluster, settings);
    const database = options.database ?? 'baton';
    await pg(cluster, 'createdb', ['-h', HOST, '-p', String(port), '-U', 'postgres', database]);
    return serverOf(cluster, port, database, binaries.major);
  } catch (error) {
    await stop(cluster);
    throw error;
  }
}

function clusterIn(root: string, binDir: string): Omit<Cluster, 'running'> {
  return { root, dataDir: join(root, 'data'), log: join(root, 'server.log'), binDir, user: serverUser() };
}

function serverOf(cluster: Cluster, port: number, database: string, major: number): PostgresServer {
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${HOST}:${port}/${encodeURIComponent(database)}`,
    port,
    major,
    stop: () => (stopping ??= stop(cluster)),
    restart: async () => {
      if (stopping !== undefined) throw new Error('the server was stopped; start a new one');
      await pgCtl(cluster, ['stop', '-m', 'immediate']);
      cluster.running = false;
      await pgCtl(cluster, ['start']);
      cluster.running = true;
    },
  };
}

/** Gives the cluster's directories to the server's system user, which must own its data directory. */
function handOver(user: string, dirs: readonly string[]): void {
  const ids = systemUserIds(user);
  if (ids === undefined) {
    throw new Error(`running as root, but there is no "${user}" system user to run PostgreSQL as`);
  }
  for (const dir of dirs) chownSync(dir, ids.uid, ids.gid);
}

/** Binds a free port, trying another when a different process took the chosen one in the meantime. */
async function startOnFreePort(
  cluster: Cluster,
  settings: Readonly<Record<string, string | number | boolean>>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(HOST);
    writeFileSync(join(cluster.dataDir, 'baton-test.conf'), confText({ ...settings, port }));
    if (cluster.user !== undefined) handOver(cluster.user, [join(cluster.dataDir, 'baton-test.conf')]);
    try {
      await pgCtl(cluster, ['start']);
      cluster.running = true;
      return port;
    } catch (error) {
      const log = await readFile(cluster.log, 'utf8').catch(() => '');
      if (attempt >= PORT_ATTEMPTS || !log.includes('could not bind')) throw error;
    }
  }
}

function confText(settings: Readonly<Record<string, string | number | boolean>>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
      return `${name} = ${typeof value === 'string' ? `'${text.replaceAll("'", "''")}'` : text}\n`;
    })
    .join('');
}

/** `pg_ctl start|stop` on the cluster, waiting until it is done; a failed start reports the server log. */
async function pgCtl(cluster: Cluster, args: readonly string[]): Promise<void> {
  try {
    await pg(cluster, 'pg_ctl', [...args, '-D', cluster.dataDir, '-l', cluster.log, '-w', '-t', '60']);
  } catch (error) {
    const log = existsSync(cluster.log) ? readFileSync(cluster.log, 'utf8').slice(-2_000) : '';
    throw new CommandError(`pg_ctl ${args.join(' ')}`, `${String(error)}\nserver log:\n${log}`, {
      cause: error,
    });
  }
}

function pg(cluster: Cluster, program: string, args: readonly string[]): Promise<string> {
  const options = { cwd: cluster.root, ...(cluster.user === undefined ? {} : { asUser: cluster.user }) };
  return runCommand(join(cluster.binDir, program), args, options);
}

/** Stops the server if it runs and deletes the cluster. Never throws: it runs on the way out of tests. */
async function stop(cluster: Cluster): Promise<void> {
  if (cluster.running) {
    try {
      await pgCtl(cluster, ['stop', '-m', 'immediate']);
    } catch {
      killPostmaster(cluster.dataDir);
    }
    cluster.running = false;
  }
  rmSync(cluster.root, { recursive: true, force: true });
  live.delete(cluster);
}

/** The synchronous {@link stop}, for the exit hook and for clusters of processes that were killed. */
function stopSync(cluster: Omit<Cluster, 'running'>): void {
  if (existsSync(join(cluster.dataDir, 'postmaster.pid'))) {
    runCommandSync(join(cluster.binDir, 'pg_ctl'), ['stop', '-D', cluster.dataDir, '-m', 'immediate', '-w'], {
      cwd: cluster.root,
      ...(cluster.user === undefined ? {} : { asUser: cluster.user }),
    });
    killPostmaster(cluster.dataDir);
  }
  rmSync(cluster.root, { recursive: true, force: true });
}

/** Sends the postmaster of a cluster SIGQUIT (immediate shutdown) when `pg_ctl stop` could not stop it. */
function killPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGQUIT');
  } catch {
    // No pid file or no such process: nothing runs.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const cluster of live) stopSync(cluster);
  });
}
