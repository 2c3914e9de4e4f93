import { createInterface } from 'node:readline/promises';
import { buildWorkflowGraph, isBatonError, type RunEvent, type Workflow } from '@baton/core';
import type { Baton } from '@baton/embedded';
import { styles, type CliIo } from './io.js';
import { compact } from './run-notes.js';

/**
 * The tasks of a step-through run that wait for `step` (`task.held`), in the order they were held. The
 * generation counts changes, so a prompt answered for one set of held tasks is not asked again until the set
 * changes — the task a `step` dispatched may start a moment after `step` returns.
 */
export class HeldTasks {
  readonly #held = new Map<string, string>();
  #generation = 0;
  #answered = -1;

  /** Takes a run event; true when the held set changed (or a resume makes a refused step worth asking again). */
  onEvent(event: RunEvent): boolean {
    switch (event.type) {
      case 'task.held':
        // A resumed run holds its ready tasks again; they are the same held tasks.
        if (this.#held.has(event.taskKey)) return false;
        this.#held.set(event.taskKey, event.nodeId);
        break;
      case 'task.started':
      case 'task.succeeded':
      case 'task.failed':
      case 'task.skipped':
      case 'task.cancelled':
        if (!this.#held.delete(event.taskKey)) return false;
        break;
      case 'run.resumed':
        if (this.#held.size === 0) return false;
        break;
      default:
        return false;
    }
    this.#generation++;
    return true;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Held tasks, oldest first: task key → node id. */
  get tasks(): ReadonlyMap<string, string> {
    return this.#held;
  }

  /** Whether there are held tasks nobody was asked about since the set last changed. */
  get unanswered(): boolean {
    return this.#held.size > 0 && this.#answered !== this.#generation;
  }

  /** The person answered about the held set as it was at `generation`. */
  answered(generation: number): void {
    this.#answered = generation;
  }
}

/**
 * Shows the held tasks of a step-through run — node, agent, inputs — and asks what to do: Enter dispatches the
 * next one (`step`), `s` skips the oldest with a null output, `c` cancels the run. Gives up quietly when
 * `signal` aborts (the run ended meanwhile). A refused control is printed, not thrown: the run goes on.
 */
export async function askStep(
  io: CliIo,
  baton: Baton,
  workflow: Workflow,
  runId: string,
  held: HeldTasks,
  signal: AbortSignal,
): Promise<void> {
  const s = styles(io);
  const oldest = held.tasks.keys().next().value;
  if (oldest === undefined) return;
  const details = await baton.getRun(runId);
  const graph = buildWorkflowGraph(workflow);
  for (const [taskKey, nodeId] of held.tasks) {
    const node = graph.nodes.get(nodeId)?.node;
    const agent =
      node?.type === 'agent'
        ? (node.agent?.id ?? (node.select ? `an agent with ${node.select.skills.join(', ')}` : ''))
        : '';
    const edited = details?.tasks.find((t) => t.key === taskKey)?.input;
    io.stdout(
      `${s.yellow('⏸ held')} ${s.bold(taskKey)}${agent ? ` · ${agent}` : ''}` +
        `${node?.type === 'agent' ? ` · inputs ${compact(node.inputs)}` : ''}` +
        `${edited === undefined ? '' : ` · edited ${compact(edited)}`}\n`,
    );
  }
  const by = io.env['USER'] ?? 'cli';
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (;;) {
      const answer = (await rl.question(`  ↵ step · s skip ${oldest} · c cancel the run › `, { signal }))
        .trim()
        .toLowerCase();
      if (answer === '') return await baton.step(runId, by);
      if (answer === 's')
        return await baton.skipTask(runId, oldest, null, {
          by,
          reason: 'skipped at the step-through prompt',
        });
      if (answer === 'c') return await baton.cancel(runId, by, 'cancelled at the step-through prompt');
      io.stdout('  press Enter to step, s to skip, c to cancel\n');
    }
  } catch (error) {
    if (signal.aborted) return;
    if (!isBatonError(error)) throw error;
    io.stdout(`  ${s.red(error.message)}\n`);
  } finally {
    rl.close();
  }
}
