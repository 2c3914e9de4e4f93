import { fileURLToPath } from 'node:url';
import { runCli } from '../program.js';

/** The repository root, so tests can name `templates/…` as a user would. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs `baton` in-process from the repository root and captures what it prints. */
export async function runBaton(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: repoRoot,
    env,
    isTty: false,
  });
  return { code, stdout, stderr };
}
