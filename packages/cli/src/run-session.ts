import { createInterface } from 'node:readline/promises';
import { planWorkflow, type RunEvent, type RunRecord, type Workflow } from '@baton/core';
import type { Baton } from '@baton/embedded';
import { declaredPerformance } from './agent-catalog-loader.js';
import { formatDuration, formatUsd } from './format.js';
import { askStep, HeldTasks } from './held-tasks.js';
import { ExitCode, styles, type CliIo } from './io.js';
import { answerCommands } from './run-notes.js';
import { ProgressView } from './progress-view.js';
import { statusColour } from './status-colour.js';

/** A decision a person is asked for. */
interface PendingApproval {
  taskKey: string;
  assignee: string;
  message: string;
  options: string[];
  /** `input`: an agent asked something, and the answer is free text. */
  kind?: 'input';
}

/** How a run that waits for a person is handled. */
export interface SessionOptions {
  json: boolean;
  /**
   * Ask at the terminal (a TTY on both ends): approvals, and the held tasks of a step-through run. Otherwise a
   * run waiting for a decision is left waiting, durably, and the session returns; held tasks are announced and
   * the session goes on following the run while another terminal steps it.
   */
  interactive: boolean;
}

/**
 * Follows a run this process drives until it ends, showing progress. When the run can only go on after a
 * person decides, it asks at the terminal, or — without one — prints how to decide later and returns while
 * the run waits in the store (`baton runs decide` picks it up). A paused run is followed until someone resumes
 * or cancels it; held tasks of a step-through run are stepped here (`interactive`) or by `baton runs step`.
 */
export async function followRun(
  io: CliIo,
  baton: Baton,
  workflow: Workflow,
  runId: string,
  options: SessionOptions,
): Promise<number> {
  const s = styles(io);
  const plan = planWorkflow(workflow, { agentLookup: declaredPerformance(baton.catalog) });
  const view = new ProgressView(io, plan, Date.now());
  const pending = new Map<string, PendingApproval>();
  const held = new HeldTasks();
  let wake: (why: 'waiting' | 'held') => void = () => undefined;
  const stop = baton.subscribe(runId, (event: RunEvent) => {
    if (!options.json) view.onEvent(event);
    if (event.type === 'approval.requested') pending.set(event.taskKey, event);
    if (event.type === 'approval.decided') pending.delete(event.taskKey);
    if (event.type === 'run.waiting' && pending.size > 0) wake('waiting');
    if (!held.onEvent(event)) return;
    if (options.interactive) wake('held');
    else if (event.type === 'task.held' && !options.json)
      view.note(s.yellow(`held ${event.taskKey} — run "baton runs step ${runId}" to dispatch it`));
  });
  let ticker: ReturnType<typeof setInterval> | undefined;
  const tick = (on: boolean): void => {
    if (ticker) clearInterval(ticker);
    ticker = on && !options.json && io.isTty ? setInterval(() => view.render(Date.now()), 100) : undefined;
  };
  tick(true);
  try {
    for (;;) {
      if (options.interactive && held.unanswered) {
        // The bars stand still while a person answers, then draw again below the answer.
        tick(false);
        view.render(Date.now());
        const generation = held.generation;
        const ended = new AbortController();
        void baton.waitForRun(runId).then(
          () => ended.abort(),
          () => ended.abort(),
        );
        await askStep(io, baton, workflow, runId, held, ended.signal);
        ended.abort();
        held.answered(generation);
        view.detach();
        tick(true);
        continue;
      }
      const signal = new Promise<'waiting' | 'held'>((resolve) => (wake = resolve));
      const outcome = await Promise.race([baton.waitForRun(runId), signal]);
      if (outcome === 'held') continue;
      if (outcome !== 'waiting') {
        tick(false);
        if (!options.json) view.render(Date.now());
        return await report(io, baton, outcome, options.json);
      }
      if (!options.interactive) {
        if (!options.json) {
          view.render(Date.now());
          io.stdout(`\n${s.yellow('⏸ waiting for a decision')} · run ${runId} stays saved until then\n`);
          for (const p of pending.values()) {
            io.stdout(`  ${p.taskKey} asks ${p.assignee}: ${p.message}\n`);
            for (const command of answerCommands(runId, p)) io.stdout(s.dim(`    ${command}\n`));
          }
        } else {
          io.stdout(
            `${JSON.stringify({ run: (await baton.getRun(runId))?.run, waitingFor: [...pending.values()] }, null, 2)}\n`,
          );
        }
        return ExitCode.waiting;
      }
      // The bars stand still while a person answers, then draw again below the answer.
      tick(false);
      view.render(Date.now());
      for (const p of [...pending.values()]) await askAndDecide(io, baton, runId, p);
      view.detach();
      tick(true);
    }
  } finally {
    tick(false);
    stop();
  }
}

/** Asks at the terminal until the answer is one of the options, then records it. */
async function askAndDecide(
  io: CliIo,
  baton: Baton,
  runId: string,
  approval: PendingApproval,
): Promise<void> {
  const s = styles(io);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const by = process.env['USER'] ?? 'cli';
  try {
    if (approval.kind === 'input') {
      // Free text is the answer; the other options are written with a colon so that no answer is taken for one.
      for (;;) {
        const answer = (
          await rl.question(
            `\n${s.yellow('?')} ${s.bold(approval.taskKey)}: ${approval.message}\n  your answer (or :skip, :abort) › `,
          )
        ).trim();
        if (answer === ':skip' || answer === ':abort') {
          await baton.decide(runId, approval.taskKey, answer.slice(1), by);
          return;
        }
        if (answer !== '') {
          await baton.reply(runId, approval.taskKey, answer, { by });
          return;
        }
      }
    }
    for (;;) {
      const answer = (
        await rl.question(
          `\n${s.yellow('?')} ${s.bold(approval.taskKey)} asks ${approval.assignee}: ${approval.message}\n  ${approval.options.join(' / ')} › `,
        )
      ).trim();
      const decision = approval.options.find((o) => o.toLowerCase() === answer.toLowerCase());
      if (decision) {
        await baton.decide(runId, approval.taskKey, decision, by);
        return;
      }
      io.stdout(`  choose one of: ${approval.options.join(', ')}\n`);
    }
  } finally {
    rl.close();
  }
}

/** Prints the end of a run and returns its exit code. */
export async function report(io: CliIo, baton: Baton, run: RunRecord, json: boolean): Promise<number> {
  const s = styles(io);
  if (json) {
    const details = await baton.getRun(run.id);
    io.stdout(`${JSON.stringify(details ?? run, null, 2)}\n`);
  } else {
    const took = (run.endedAt ?? Date.now()) - (run.startedAt ?? run.createdAt);
    const mark =
      run.status === 'completed'
        ? s.green('✓ completed')
        : run.status === 'rolled_back'
          ? statusColour(io, run.status)('↩ rolled back')
          : statusColour(io, run.status)(`✗ ${run.status}`);
    io.stdout(`\n${mark} in ${formatDuration(took)} · cost ${formatUsd(run.costUsd)} · run ${run.id}\n`);
    if (run.error) io.stdout(`${s.red(run.error.code)}: ${run.error.message}\n`);
    if (run.output && Object.keys(run.output).length > 0) {
      io.stdout(`\n${s.bold('Outputs')}\n`);
      for (const [key, value] of Object.entries(run.output)) io.stdout(`${s.cyan(key)}: ${show(value)}\n`);
    }
  }
  // A rolled-back run exits like a failed one: its steps were undone, so the work it was started for is not done.
  return run.status === 'completed' ? ExitCode.ok : ExitCode.invalid;
}

/** Strings print as they are (Markdown reads well in a terminal); other values as indented JSON. */
function show(value: unknown): string {
  return typeof value === 'string'
    ? value.includes('\n')
      ? `\n${value}`
      : value
    : JSON.stringify(value, null, 2);
}
