import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { ownerTag, removeStaleDirs } from './stale-dirs.js';

/** Where Debian's `redis-server` package installs the server. */
const REDIS_SERVER = '/usr/bin/redis-server';
const HOST = '127.0.0.1';
const DIR_PREFIX = 'baton-redis-';
const PID_FILE = 'redis.pid';
/** A port can be taken between finding it free and the server binding it; that many fresh ports are tried. */
const PORT_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** A throwaway Redis server, for tests and benchmarks. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`, for any Redis client. */
  readonly url: string;
  readonly port: number;
  /** Kills the server and removes its directory. Safe to call more than once. */
  stop(): Promise<void>;
  /** Empties every database, as a lost or restarted Redis would be. */
  flushAll(): Promise<void>;
}

/**
 * Whether `redis-server` is installed. Suites combine it with the CI rule:
 * `describe.skipIf(!requireService('Redis', redisAvailable(), 'install the redis-server package'))`.
 */
export function redisAvailable(): boolean {
  try {
    accessSync(REDIS_SERVER, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Servers still running and their directories, cleaned up when the process exits without `stop()`. */
const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [child, dir] of running) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Starts a throwaway `redis-server` on a free loopback port, without persistence, in its own temporary
 * directory, and resolves once it answers PING. Every call gets its own server; `stop()` it when done.
 */
export async function startRedis(): Promise<RedisServer> {
  if (!redisAvailable()) {
    throw new Error(`${REDIS_SERVER} was not found; install Redis (Debian: apt-get install redis-server)`);
  }
  removeStaleDirs(tmpdir(), DIR_PREFIX, removeStale);
  installExitHook();
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner'), ownerTag());
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort(HOST);
    try {
      const child = await launch(port, dir);
      return serverHandle(child, port, dir);
    } catch (error) {
      // Most likely another process took the port first; try a fresh one.
      lastError = error;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`redis-server did not start after ${PORT_ATTEMPTS} attempts`, { cause: lastError });
}

function serverHandle(child: ChildProcess, port: number, dir: string): RedisServer {
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://${HOST}:${port}`,
    port,
    stop: () => (stopping ??= stopServer(child, dir)),
    flushAll: async () => {
      const reply = await redisCommand(port, ['FLUSHALL']);
      if (reply !== '+OK') throw new Error(`FLUSHALL answered ${reply}`);
    },
  };
}

/** Spawns the server and waits for PONG; rejects (with the server's output) if it exits or never answers. */
async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    REDIS_SERVER,
    [
      ...['--port', String(port), '--bind', HOST, '--dir', dir],
      // A throwaway server: nothing is written to disk, so a restart starts empty.
      ...['--save', '', '--appendonly', 'no'],
      // The pid file lets a later test process stop a server whose own test process was killed.
      ...['--daemonize', 'no', '--pidfile', join(dir, PID_FILE), '--loglevel', 'warning'],
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.set(child, dir);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(error));
    child.once('exit', (code, signal) => {
      running.delete(child);
      reject(new Error(`redis-server exited (${signal ?? code}) before it was ready: ${output.trim()}`));
    });
  });
  // Keep a late rejection (the server stopping normally later) from being reported as unhandled.
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForPong(port), exited]);
    return child;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

async function waitForPong(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await redisCommand(port, ['PING'])) === '+PONG') return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stopServer(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pid = child.pid;
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  running.delete(child);
  rmSync(dir, { recursive: true, force: true });
}

/** Stops the server of a directory left behind by a killed test process, and deletes the directory. */
function removeStale(dir: string): void {
  try {
    const pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
    // The pid may have been reused since; only a redis-server is ours to stop.
    if (
      Number.isInteger(pid) &&
      pid > 0 &&
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server')
    ) {
      process.kill(pid, 'SIGKILL');
    }
  } catch {
    // No pid file or no such process: nothing runs there.
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Sends one command over a fresh connection and resolves with the first line of the reply (`+PONG`, `+OK`,
 * `:3`, `-ERR …`). Enough for readiness and admin commands, so this package needs no Redis client.
 */
export function redisCommand(port: number, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error('no reply from redis-server')));
    socket.once('error', reject);
    socket.once('connect', () => {
      const parts = args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`);
      socket.write(`*${args.length}\r\n${parts.join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        resolve(reply.slice(0, end));
      }
    });
    socket.once('close', () => reject(new Error('redis-server closed the connection without a reply')));
  });
}
