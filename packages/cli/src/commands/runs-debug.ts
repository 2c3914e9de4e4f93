import { createInterface, type Interface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  canonicalJson,
  type ReplayContext,
  type ReplayResult,
  type ReplayStep,
  type RunEvent,
} from '@baton/core';
import { formatUsd } from '../format.js';
import { ExitCode, styles, type CliIo } from '../io.js';
import { openBaton } from './run.js';

/** How long one value may print in a step before it is cut short (`--json` prints everything). */
const SHOWN = 100;

/**
 * `baton runs replay <id>`: replays a run from its event log without calling any agent and prints each step —
 * the input, the events it produced and what changed in the context — then whether the replay reproduced the
 * recorded trace. Exits 1 when it did not.
 */
export function registerReplay(runs: Command, io: CliIo, setExit: (code: number) => void): void {
  runs
    .command('replay')
    .description('Replay a run from its event log, step by step, without calling agents; check it matches.')
    .argument('<id>', 'run id')
    .option('-d, --data-dir <dir>', 'where runs are stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print the steps and the verdict as JSON', false)
    .option('--step', 'wait for Enter after each step (at a terminal)', false)
    .action(async (id: string, options: { dataDir?: string; json: boolean; step: boolean }) => {
      const baton = await openBaton(io, options.dataDir);
      let result: ReplayResult;
      let events: number;
      try {
        result = await baton.replayRun(id);
        events = (await baton.readEvents(id)).length;
      } finally {
        await baton.close();
      }
      setExit(result.matches ? ExitCode.ok : ExitCode.invalid);
      if (options.json) {
        io.stdout(`${JSON.stringify({ runId: id, events, ...result }, null, 2)}\n`);
        return;
      }
      const interactive = options.step && io.isTty && process.stdin.isTTY === true;
      await printReplay(io, id, events, result, interactive);
    });
}

/** Prints a replay step by step, then its verdict; `interactive` waits for Enter between steps. */
export async function printReplay(
  io: CliIo,
  runId: string,
  events: number,
  result: ReplayResult,
  interactive: boolean,
): Promise<void> {
  const s = styles(io);
  io.stdout(`${s.bold(`Replay of run ${runId}`)} ${s.dim(`· ${events} events`)}\n`);
  const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  try {
    let before: ReplayContext | undefined;
    for (const step of result.steps) {
      printStep(io, step, before);
      before = step.context;
      const last = step === result.steps.at(-1);
      if (rl && !last && !(await next(rl))) break;
    }
  } finally {
    rl?.close();
  }
  const { divergence } = result;
  if (!divergence) {
    io.stdout(`\n${s.green('✓')} replay matches the recorded trace (${events} events)\n`);
    return;
  }
  io.stdout(`\n${s.red('✗')} replay diverges at seq ${divergence.seq}: ${divergence.message}\n`);
  const { expected, actual } = divergence;
  if (expected && actual && expected.type === actual.type) {
    const at = firstDifference(expected, actual, '');
    if (at) {
      io.stdout(`  ${s.dim('at')} ${at.path}\n`);
      io.stdout(`  ${s.dim('log:   ')} ${at.log === undefined ? '(absent)' : compact(at.log)}\n`);
      io.stdout(`  ${s.dim('replay:')} ${at.replay === undefined ? '(absent)' : compact(at.replay)}\n`);
    }
  } else {
    if (expected) io.stdout(`  ${s.dim('log:   ')} ${compact(expected)}\n`);
    if (actual) io.stdout(`  ${s.dim('replay:')} ${compact(actual)}\n`);
  }
  io.stdout(s.dim('  (--json prints both events whole)\n'));
}

/** The path to the first place two JSON values differ, and what each holds there. */
function firstDifference(
  log: unknown,
  replay: unknown,
  path: string,
): { path: string; log: unknown; replay: unknown } | undefined {
  if (canonicalJson(log) === canonicalJson(replay)) return undefined;
  if (Array.isArray(log) && Array.isArray(replay)) {
    for (let i = 0; i < Math.max(log.length, replay.length); i++) {
      const found = firstDifference(log[i], replay[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (isObject(log) && isObject(replay)) {
    for (const key of new Set([...Object.keys(log), ...Object.keys(replay)])) {
      const found = firstDifference(log[key], replay[key], path === '' ? key : `${path}.${key}`);
      if (found) return found;
    }
  }
  return { path, log, replay };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Waits for Enter; false when the person typed `q` to stop. */
async function next(rl: Interface): Promise<boolean> {
  const answer = await rl.question('  ↵ next step, q to stop › ');
  return answer.trim().toLowerCase() !== 'q';
}

function printStep(io: CliIo, step: ReplayStep, before: ReplayContext | undefined): void {
  const s = styles(io);
  const first = step.events[0];
  const last = step.events.at(-1);
  const seqs =
    first && last ? (first.seq === last.seq ? `seq ${first.seq}` : `seq ${first.seq}–${last.seq}`) : '';
  io.stdout(`\n${s.bold(`#${step.index}`)} ${s.dim(seqs.padEnd(12))} ${s.cyan(inputLine(step.input))}\n`);
  for (const event of step.events)
    io.stdout(`    ${s.dim(String(event.seq).padStart(4))} ${eventLine(event)}\n`);
  const changes = contextChanges(step.context, before);
  for (const change of changes) io.stdout(`    ${s.yellow('Δ')} ${change}\n`);
  if (changes.length === 0) io.stdout(`    ${s.dim('context unchanged')}\n`);
}

/** The input in one line; results' outputs show in the context changes below it, so they are left out here. */
function inputLine(input: ReplayStep['input']): string {
  switch (input.type) {
    case 'agent.succeeded':
      return `${input.type} ${input.taskKey} (attempt ${input.attempt}, ${formatUsd(input.costUsd)})`;
    case 'child.completed':
      return `${input.type} ${input.taskKey} (${formatUsd(input.costUsd)})`;
    case 'agent.failed':
    case 'child.failed':
      return `${input.type} ${input.taskKey} ${input.error.code}: ${input.error.message}`;
    default: {
      const { type, ...rest } = input;
      const taskKey = 'taskKey' in rest ? rest.taskKey : undefined;
      const fields: Record<string, unknown> = { ...rest };
      delete fields['taskKey'];
      const shown = Object.keys(fields).length > 0 ? ` ${compact(fields)}` : '';
      return `${type}${taskKey === undefined ? '' : ` ${taskKey}`}${shown}`;
    }
  }
}

function eventLine(event: RunEvent): string {
  const task = 'taskKey' in event && event.taskKey !== undefined ? ` ${event.taskKey}` : '';
  switch (event.type) {
    case 'task.failed':
    case 'task.retrying':
      return `${event.type}${task} ${event.error.code}: ${event.error.message}`;
    case 'approval.decided':
      return `${event.type}${task} ${event.decision} by ${event.by}${event.auto ? ' (auto)' : ''}`;
    case 'run.completed':
      return `${event.type} → ${compact(event.output)}`;
    case 'run.failed':
      return `${event.type} ${event.error.code}: ${event.error.message}`;
    default:
      return `${event.type}${task}`;
  }
}

/** What changed in the context since the previous step, one line each. */
function contextChanges(now: ReplayContext, before: ReplayContext | undefined): string[] {
  const changes: string[] = [];
  if (now.status !== before?.status)
    changes.push(`status ${before ? `${before.status} → ` : ''}${now.status}`);
  if (now.costUsd !== (before?.costUsd ?? 0)) changes.push(`cost ${formatUsd(now.costUsd)}`);
  for (const [name, value] of Object.entries(now.vars)) {
    if (!before || canonicalJson(value) !== canonicalJson(before.vars[name])) {
      changes.push(`vars.${name} = ${compact(value)}`);
    }
  }
  for (const [id, entry] of Object.entries(now.nodes)) {
    if (before?.nodes[id] === entry) continue;
    const error = entry.error ? ` ${entry.error.code}` : '';
    changes.push(`nodes.${id} ${entry.status}${error} ${compact(entry.output)}`);
  }
  return changes;
}

function compact(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > SHOWN ? `${text.slice(0, SHOWN - 1)}…` : text;
}
