import type { OperatorInputType, RunEvent } from '@baton/core';
import { styles, type CliIo } from './io.js';

/** The `baton runs` command of each operator input, so audit lines and refusals use the words the CLI uses. */
export const VERBS: Readonly<Record<OperatorInputType, string>> = {
  pause: 'pause',
  resume: 'resume',
  cancel: 'cancel',
  'vars.set': 'set-var',
  'task.edit-input': 'edit-input',
  'task.retry': 'retry-task',
  'task.skip': 'skip-task',
  rollback: 'rollback',
  step: 'step',
};

/** How long a value may print in a note or an audit line before it is cut short. */
const SHOWN = 80;

/** Compensation rows are `<task key>~undo` (core's rollback): the key of the task one undoes, if it is one. */
export function compensatedTask(key: string): string | undefined {
  return key.endsWith('~undo') ? key.slice(0, -'~undo'.length) : undefined;
}

function undone(taskKey: string): string {
  return compensatedTask(taskKey) ?? taskKey;
}

function by(who: string | undefined, reason?: string): string {
  if (who === undefined) return reason === undefined ? '' : `: ${reason}`;
  return ` by ${who}${reason === undefined ? '' : `: ${reason}`}`;
}

/** JSON in one line, cut at SHOWN characters. */
export function compact(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > SHOWN ? `${text.slice(0, SHOWN - 1)}…` : text;
}

/**
 * One line for an event that changes the course of a run rather than one task's progress — paused, resumed,
 * an operator's edit, a fallback or escalation, rollback and its compensations — or undefined for the others.
 * The live view prints these as they happen.
 */
export function runNote(event: RunEvent, io: CliIo): string | undefined {
  const s = styles(io);
  switch (event.type) {
    case 'run.paused':
      return s.yellow(`⏸ paused${by(event.by, event.reason)}`);
    case 'run.resumed':
      return `▶ resumed${by(event.by)}`;
    case 'run.cancelled':
      return s.red(`■ cancelled${by(event.by, event.reason)}`);
    case 'operator.acted':
      return operatorNote(event);
    case 'task.recovery':
      return recoveryNote(event, io);
    case 'rollback.started':
      return s.yellow(
        `↩ rolling back${by(event.by, event.reason)}${event.compensations.length > 0 ? ` · undoing ${event.compensations.join(', ')}` : ' · nothing to undo'}`,
      );
    case 'compensation.started':
      return `  ↩ undo ${undone(event.taskKey)}${event.agent ? s.dim(` (${event.agent})`) : ''}`;
    case 'compensation.succeeded':
      return `  ${s.green('✓')} undid ${undone(event.taskKey)}`;
    case 'compensation.failed':
      return `  ${s.red('✗')} undo ${undone(event.taskKey)}: ${event.error.message}`;
    case 'run.rolled_back':
      return s.yellow(
        `↩ rolled back${event.compensated.length > 0 ? ` · undid ${event.compensated.join(', ')}` : ''}`,
      );
    case 'run.rollback_failed':
      return s.red(`✗ rollback failed: ${event.error.message}`);
    default:
      return undefined;
  }
}

/** What error recovery did with a task: fell back to another agent, waited out open breakers, skipped it, asked a person, or gave up. */
function recoveryNote(event: Extract<RunEvent, { type: 'task.recovery' }>, io: CliIo): string {
  const s = styles(io);
  switch (event.action) {
    case 'fallback':
      return s.yellow(
        `↪ ${event.taskKey}: fallback${event.from ? ` from ${event.from}` : ''}${event.to ? ` to ${event.to}` : ''} (${event.reason})`,
      );
    case 'wait':
      return s.yellow(`⏳ ${event.taskKey}: waits for a circuit breaker (${event.reason})`);
    case 'skip':
      return s.yellow(`↪ ${event.taskKey}: skipped (${event.reason})`);
    case 'escalate':
      return s.yellow(`? ${event.taskKey}: escalated to a person (${event.reason})`);
    case 'ask':
      return s.yellow(`? ${event.taskKey}: its agent asks a person: ${event.reason}`);
    case 'fail':
      return s.red(`✗ ${event.taskKey}: no recovery left (${event.reason})`);
  }
}

/** Operator acts whose effect shows nowhere else in the live view (pause, resume, cancel, step and rollback do). */
function operatorNote(event: Extract<RunEvent, { type: 'operator.acted' }>): string | undefined {
  const task = event.taskKey ?? '';
  const why = event.reason === undefined ? '' : `: ${event.reason}`;
  switch (event.command) {
    case 'vars.set':
      return `• ${event.by} set ${compact(event.details?.['vars'] ?? {})}${why}`;
    case 'task.edit-input':
      return `• ${event.by} edited the input of ${task} ${compact(event.details?.['input'] ?? {})}${why}`;
    case 'task.skip':
      return `• ${event.by} skipped ${task} with ${compact(event.details?.['output'] ?? null)}${why}`;
    case 'task.retry':
      return `• ${event.by} retried ${task}${why}`;
    default:
      return undefined;
  }
}

/** One line of the audit trail (`operator.acted`): when, what, on which task, who, why, and the values given. */
export function auditLine(event: Extract<RunEvent, { type: 'operator.acted' }>): string {
  const stepped = event.command === 'step' ? event.details?.['taskKey'] : undefined;
  const target = event.taskKey ?? (typeof stepped === 'string' ? stepped : undefined);
  const details =
    event.details && event.command !== 'step'
      ? ` ${Object.values(event.details).map(compact).join(' ')}`
      : '';
  return (
    `${new Date(event.at).toISOString()}  ${VERBS[event.command]}${target === undefined ? '' : ` ${target}`}` +
    `${details} · by ${event.by}${event.reason === undefined ? '' : `: ${event.reason}`}`
  );
}

/**
 * The commands that answer a task waiting for a person: `runs decide` with its options, and for an agent's
 * question `runs reply` first — `reply` itself needs the answer, so it is not offered to `decide`.
 */
export function answerCommands(
  runId: string,
  request: { taskKey: string; options: readonly string[]; kind?: string },
): string[] {
  const at = `${runId} ${request.taskKey}`;
  if (request.kind !== 'input') return [`baton runs decide ${at} ${request.options.join('|')}`];
  const others = request.options.filter((o) => o !== 'reply');
  return [`baton runs reply ${at} "<answer>"`, `baton runs decide ${at} ${others.join('|')}`];
}
