import type { RunEvent } from '@baton/core';
import type { RunDetails } from '@baton/embedded';
import { formatDuration } from '../format.js';
import { styles, type CliIo } from '../io.js';
import { auditLine, compensatedTask } from '../run-notes.js';
import { statusColour } from '../status-colour.js';

/** Where a run came from, for the header of `runs show`: a fork's original, step-through mode. */
export function lineage(details: RunDetails): string[] {
  const labels = details.run.labels ?? {};
  const lines: string[] = [];
  const original = labels['baton.forked-from'];
  if (original !== undefined) lines.push(`fork of run ${original} at ${labels['baton.fork-at'] ?? '?'}`);
  if (labels['baton.step-through'] === 'on')
    lines.push(`step-through: agent tasks wait for \`baton runs step ${details.run.id}\``);
  return lines;
}

/**
 * The parts of `runs show` that tell what was done to a run rather than by it: the rollback with each
 * compensation, and the audit trail of operator acts (who, when, why).
 */
export function printRunHistory(io: CliIo, details: RunDetails, events: readonly RunEvent[]): void {
  const s = styles(io);
  const rollback = events.find((e) => e.type === 'rollback.started');
  const undos = details.tasks.filter((t) => compensatedTask(t.key) !== undefined);
  if (rollback || undos.length > 0) {
    const why =
      rollback?.type === 'rollback.started'
        ? ` ${s.dim(`${rollback.reason}${rollback.by === undefined ? '' : ` · by ${rollback.by}`}`)}`
        : '';
    io.stdout(`\n${s.bold('Compensations')}${why}\n`);
    if (undos.length === 0) io.stdout(`  ${s.dim('no completed step had a compensation')}\n`);
    for (const task of undos) {
      const took = task.endedAt && task.startedAt ? formatDuration(task.endedAt - task.startedAt) : '';
      io.stdout(
        `  ${`undo ${compensatedTask(task.key) ?? task.key}`.padEnd(28)} ${statusColour(io, task.status)(task.status.padEnd(9))} ${(task.agent ?? 'transform').padEnd(36)} ${took.padStart(8)}  attempt ${task.attempt}${task.error ? `  ${s.red(task.error.message)}` : ''}\n`,
      );
    }
  }
  const acts = events.filter((e) => e.type === 'operator.acted');
  if (acts.length === 0) return;
  io.stdout(`\n${s.bold('Audit')}\n`);
  for (const act of acts) io.stdout(`  ${auditLine(act)}\n`);
}
