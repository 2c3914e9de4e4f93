import { execFile, execFileSync } from 'node:child_process';

/** How to run one system command. */
export interface RunCommandOptions {
  /** The working directory; it must be readable by `asUser`. */
  cwd?: string;
  /**
   * Run as this system user instead of the current one. Servers such as PostgreSQL refuse to run as root,
   * and CI runs as root, so a root process starts them as their own system user.
   */
  asUser?: string;
  /** Give up after this long (ms, default 60 000). */
  timeoutMs?: number;
}

/** A command that exited with a failure, with what it printed, so the test log shows why. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super(`${command} failed${output.trim() === '' ? '' : `:\n${output.trim()}`}`, options);
    this.name = 'CommandError';
  }
}

/** The program and arguments that run `file args` as `asUser` (through `runuser`, else `su`). */
export function commandLine(file: string, args: readonly string[], asUser?: string): [string, string[]] {
  if (asUser === undefined) return [file, [...args]];
  if (hasRunuser()) return ['runuser', ['-u', asUser, '--', file, ...args]];
  return ['su', [asUser, '-s', '/bin/sh', '-c', [file, ...args].map(shellQuote).join(' ')]];
}

/** Runs a command to completion and resolves with its standard output; rejects with a `CommandError`. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<string> {
  const [program, argv] = commandLine(file, args, options.asUser);
  return new Promise((resolve, reject) => {
    execFile(
      program,
      argv,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else reject(new CommandError(`${file} ${args.join(' ')}`, `${stdout}${stderr}`, { cause: error }));
      },
    );
  });
}

/**
 * The synchronous form of {@link runCommand}, for `process.on('exit')` handlers, where nothing asynchronous
 * runs any more. Failures are swallowed: it is used only to clean up.
 */
export function runCommandSync(file: string, args: readonly string[], options: RunCommandOptions = {}): void {
  const [program, argv] = commandLine(file, args, options.asUser);
  try {
    execFileSync(program, argv, { cwd: options.cwd, timeout: options.timeoutMs ?? 30_000, stdio: 'ignore' });
  } catch {
    // Best effort while the process exits.
  }
}

let runuser: boolean | undefined;

function hasRunuser(): boolean {
  if (runuser === undefined) {
    try {
      execFileSync('runuser', ['--version'], { stdio: 'ignore' });
      runuser = true;
    } catch {
      runuser = false;
    }
  }
  return runuser;
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
