import type { Problem } from '@baton/core';
import { styles, type CliIo } from './io.js';

/** Prints problems one a line as `  error  path: message`, errors before warnings, in document order. */
export function printProblems(io: CliIo, problems: readonly Problem[], write: (text: string) => void): void {
  const s = styles(io);
  const sorted = [...problems].sort((a, b) => rank(a) - rank(b));
  for (const problem of sorted) {
    const label = problem.severity === 'error' ? s.red('error  ') : s.yellow('warning');
    const where = problem.path === '' ? '' : `${s.bold(problem.path)}: `;
    write(`  ${label} ${where}${problem.message} ${s.dim(`[${problem.code}]`)}\n`);
  }
}

function rank(problem: Problem): number {
  return problem.severity === 'error' ? 0 : 1;
}

/** `1 error, 2 warnings`. */
export function countProblems(problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const parts = [];
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}
