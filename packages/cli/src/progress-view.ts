import type { RunEvent, WorkflowPlan } from '@baton/core';
import { formatDuration, formatUsd } from './format.js';
import { styles, type CliIo } from './io.js';
import { runNote } from './run-notes.js';

type TaskState = 'waiting' | 'held' | 'running' | 'done' | 'failed' | 'skipped';

/** Notes kept under the bars on a terminal; older ones scroll away. */
const NOTES_SHOWN = 6;

interface Group {
  label: string;
  nodeIds: string[];
}

/**
 * The live view of `baton run`: one bar per group of tasks that may run at once (the planner's parallel
 * groups), each with its tasks' states, elapsed time and cost, and under them notes of what changed the run's
 * course (paused, fallbacks, rollback and compensations). On a terminal it redraws in place; elsewhere it
 * prints one line per task event and note, so logs stay readable.
 */
export class ProgressView {
  readonly #io: CliIo;
  readonly #groups: Group[];
  readonly #state = new Map<string, TaskState>();
  readonly #startedAt = new Map<string, number>();
  readonly #endedAt = new Map<string, number>();
  readonly #cost = new Map<string, number>();
  readonly #notes: string[] = [];
  #paused = false;
  #drawnLines = 0;
  #now: number;

  constructor(io: CliIo, plan: WorkflowPlan, now: number) {
    this.#io = io;
    this.#now = now;
    this.#groups = plan.executionStrategy.parallelizableTasks.map((nodeIds, i) => ({
      label: `${i + 1}`,
      nodeIds,
    }));
  }

  /** Takes one run event into the view (events of tasks inside loops count toward their loop). */
  onEvent(event: RunEvent): void {
    this.#now = Math.max(this.#now, event.at);
    // `run.resumed` also marks a waiting run getting busy again; only the end of a pause is worth a note.
    const quiet = event.type === 'run.resumed' && !this.#paused;
    if (event.type === 'run.paused' || event.type === 'run.resumed')
      this.#paused = event.type === 'run.paused';
    const note = quiet ? undefined : runNote(event, this.#io);
    if (note !== undefined) this.note(note);
    if (!('taskKey' in event) || event.taskKey === undefined) return;
    const id = event.taskKey.split('.')[0]?.replace(/\[\d+\]$/, '') ?? event.taskKey;
    const nested = id !== event.taskKey;
    switch (event.type) {
      case 'task.started':
        if (!this.#startedAt.has(id)) this.#startedAt.set(id, event.at);
        this.#state.set(id, 'running');
        break;
      case 'task.held':
        if (!nested) this.#state.set(id, 'held');
        break;
      case 'approval.requested':
        this.#state.set(id, 'running');
        this.#startedAt.set(id, this.#startedAt.get(id) ?? event.at);
        break;
      case 'task.succeeded':
        this.#cost.set(id, (this.#cost.get(id) ?? 0) + event.costUsd);
        if (!nested) {
          this.#state.set(id, 'done');
          this.#endedAt.set(id, event.at);
        }
        break;
      case 'task.failed':
        if (!nested) {
          this.#state.set(id, event.handledBy ? 'done' : 'failed');
          this.#endedAt.set(id, event.at);
        }
        break;
      case 'task.skipped':
      case 'task.cancelled':
        if (!nested) this.#state.set(id, 'skipped');
        break;
      default:
        break;
    }
    if (!this.#io.isTty) this.#logLine(event);
  }

  /** Shows a line of what happened: under the bars on a terminal, else printed at once. */
  note(text: string): void {
    if (!this.#io.isTty) {
      this.#io.stdout(`${text}\n`);
      return;
    }
    this.#notes.push(text);
    if (this.#notes.length > NOTES_SHOWN) this.#notes.shift();
  }

  /** Forgets the drawn bars, so the next render draws below whatever was printed since (a prompt). */
  detach(): void {
    this.#drawnLines = 0;
  }

  /** Redraws the bars (terminals only). */
  render(now: number): void {
    if (!this.#io.isTty) return;
    this.#now = Math.max(this.#now, now);
    const lines = [...this.#groups.map((g) => this.#groupLine(g)), ...this.#notes];
    const up = this.#drawnLines > 0 ? `\u001b[${this.#drawnLines}F` : '';
    this.#io.stdout(`${up}${lines.map((l) => `\u001b[2K${l}`).join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  #groupLine(group: Group): string {
    const s = styles(this.#io);
    const states = group.nodeIds.map((id) => this.#state.get(id) ?? 'waiting');
    const done = states.filter((x) => x === 'done' || x === 'skipped').length;
    const width = 20;
    const filled = Math.round((done / group.nodeIds.length) * width);
    const failed = states.includes('failed');
    const bar = (failed ? s.red : s.green)('█'.repeat(filled)) + s.dim('░'.repeat(width - filled));
    const starts = group.nodeIds.map((id) => this.#startedAt.get(id)).filter((x) => x !== undefined);
    const ends = group.nodeIds.map((id) => this.#endedAt.get(id)).filter((x) => x !== undefined);
    // Skipped tasks never end; a group is finished when each of its tasks ended or was skipped.
    const finished = states.every((x) => x === 'done' || x === 'skipped' || x === 'failed');
    const elapsed =
      starts.length === 0 ? 0 : (finished ? Math.max(...ends) : this.#now) - Math.min(...starts);
    const cost = group.nodeIds.reduce((sum, id) => sum + (this.#cost.get(id) ?? 0), 0);
    const names = group.nodeIds
      .map((id, i) => {
        const st = states[i];
        return st === 'running'
          ? s.cyan(id)
          : st === 'failed'
            ? s.red(id)
            : st === 'waiting'
              ? s.dim(id)
              : st === 'held'
                ? s.yellow(id)
                : id;
      })
      .join(' ');
    return `${group.label.padStart(2)} ${bar} ${formatDuration(elapsed).padStart(8)} ${formatUsd(cost).padStart(8)}  ${names}`;
  }

  #logLine(event: RunEvent): void {
    const s = styles(this.#io);
    const key = 'taskKey' in event ? (event.taskKey ?? '') : '';
    const line = (text: string): void => this.#io.stdout(`${text}\n`);
    switch (event.type) {
      case 'task.started':
        line(
          `  ${s.cyan('▶')} ${key}${event.agent ? s.dim(` (${event.agent}, attempt ${event.attempt})`) : ''}`,
        );
        break;
      case 'task.succeeded':
        line(`  ${s.green('✓')} ${key}${event.costUsd > 0 ? s.dim(` ${formatUsd(event.costUsd)}`) : ''}`);
        break;
      case 'task.failed':
        line(`  ${event.handledBy ? s.yellow('!') : s.red('✗')} ${key}: ${event.error.message}`);
        break;
      case 'task.retrying':
        line(`  ${s.yellow('↻')} ${key}: ${event.error.message}; retry in ${formatDuration(event.delayMs)}`);
        break;
      case 'approval.requested':
        line(`  ${s.yellow('?')} ${key} waits for ${event.assignee}: ${event.message}`);
        break;
      default:
        break;
    }
  }
}
