/** Where a command writes, and what it knows of its surroundings. Injected so tests run commands in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colours and progress bars only then). */
  readonly isTty: boolean;
  /**
   * Resolves with the signal's name each time the process is asked to stop (SIGINT, SIGTERM), for the
   * long-running commands (`serve`, `worker`); each call waits for the next request.
   */
  readonly nextStop?: () => Promise<string>;
}

/** Exit codes of every `baton` command. */
export const ExitCode = {
  ok: 0,
  /** The document is invalid, the run did not complete (failed, cancelled, rolled back), or a control was refused. */
  invalid: 1,
  /** The command was called wrongly: unknown option, missing file, unreadable JSON. */
  usage: 2,
  /** The run waits for a person's decision; it stays saved in the data directory. */
  waiting: 3,
} as const;

/** A usage problem: printed without a stack, exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** ANSI styling that turns itself off when the output is not a terminal or NO_COLOR is set. */
export function styles(io: CliIo): {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  cyan: (s: string) => string;
} {
  const on = io.isTty && io.env['NO_COLOR'] === undefined;
  const wrap = (open: number, close: number) => (s: string) =>
    on ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}
