import { fileURLToPath } from 'node:url';
import { runCli } from '../program.js';

/** The repository root, so tests can name `templates/…` as a user would. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** What a `baton` command printed and how it exited. */
export interface BatonResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `baton` in-process from the repository root and captures what it prints. */
export async function runBaton(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<BatonResult> {
  const started = startBaton(args, env);
  return started.exit;
}

/**
 * Starts `baton` in-process without waiting for it, for commands that run on (`baton run` following a run)
 * while a test acts on them with other commands.
 */
export function startBaton(
  args: string[],
  env: Record<string, string | undefined> = {},
): {
  exit: Promise<BatonResult>;
  output: () => string;
  /** Resolves with what was printed once it matches `text`; fails the test after `timeoutMs`. */
  printed: (text: string | RegExp, timeoutMs?: number) => Promise<string>;
} {
  let stdout = '';
  let stderr = '';
  const exit = runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: repoRoot,
    env,
    isTty: false,
  }).then((code) => ({ code, stdout, stderr }));
  const matches = (text: string | RegExp): boolean =>
    typeof text === 'string' ? stdout.includes(text) : text.test(stdout);
  return {
    exit,
    output: () => stdout,
    async printed(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!matches(text)) {
        if (Date.now() > deadline)
          throw new Error(
            `baton ${args.join(' ')} did not print ${String(text)}; it printed:\n${stdout}${stderr}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return stdout;
    },
  };
}
