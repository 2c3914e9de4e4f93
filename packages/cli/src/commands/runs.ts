import type { Command } from 'commander';
import type { RunStatus } from '@baton/core';
import { formatDuration, formatUsd } from '../format.js';
import { ExitCode, styles, UsageError, type CliIo } from '../io.js';
import { compensatedTask } from '../run-notes.js';
import { RUN_STATUSES as STATUSES, statusColour } from '../status-colour.js';
import { openBaton } from './run.js';
import { registerControls } from './runs-control.js';
import { registerDecide } from './runs-decide.js';
import { registerReplay } from './runs-debug.js';
import { lineage, printRunHistory } from './runs-history.js';

/** `baton runs list | show | decide | replay` and the operator controls: reads and acts on runs in the store. */
export function registerRuns(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const runs = program
    .command('runs')
    .description('List, inspect, decide and operate runs in the data directory.');
  registerDecide(runs, io, setExit);
  registerReplay(runs, io, setExit);
  registerControls(runs, io, setExit);
  runs
    .command('list')
    .description('List runs, newest first.')
    .option('-s, --status <status>', `only runs in this status (${STATUSES.join(', ')})`)
    .option('-w, --workflow <id>', 'only runs of this workflow')
    .option('-n, --limit <n>', 'at most this many', '20')
    .option('-d, --data-dir <dir>', 'where runs are stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print JSON', false)
    .action(
      async (options: {
        status?: string;
        workflow?: string;
        limit: string;
        dataDir?: string;
        json: boolean;
      }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new UsageError('--limit must be a positive whole number');
        if (options.status && !STATUSES.includes(options.status as RunStatus)) {
          throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
        }
        const baton = await openBaton(io, options.dataDir);
        try {
          const list = await baton.listRuns({
            limit,
            ...(options.status ? { status: options.status as RunStatus } : {}),
            ...(options.workflow ? { workflowId: options.workflow } : {}),
          });
          if (options.json) {
            io.stdout(`${JSON.stringify(list, null, 2)}\n`);
          } else if (list.length === 0) {
            io.stdout('No runs yet. Start one with: baton run <workflow.json>\n');
          } else {
            const s = styles(io);
            for (const run of list) {
              const took = run.endedAt && run.startedAt ? formatDuration(run.endedAt - run.startedAt) : '';
              io.stdout(
                `${run.id}  ${statusColour(io, run.status)(run.status.padEnd(15))}  ${run.workflowId}@${run.workflowVersion}  ${s.dim(new Date(run.createdAt).toISOString())}  ${took}  ${formatUsd(run.costUsd)}\n`,
              );
            }
          }
          setExit(ExitCode.ok);
        } finally {
          await baton.close();
        }
      },
    );
  runs
    .command('show')
    .description('Show a run: status, tasks, metrics and outputs.')
    .argument('<id>', 'run id')
    .option('-d, --data-dir <dir>', 'where runs are stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--events', 'also print the event log', false)
    .option('--json', 'print JSON', false)
    .action(async (id: string, options: { dataDir?: string; events: boolean; json: boolean }) => {
      const baton = await openBaton(io, options.dataDir);
      try {
        const details = await baton.getRun(id);
        if (!details) {
          io.stderr(`baton: no run "${id}" in ${baton.location}\n`);
          setExit(ExitCode.invalid);
          return;
        }
        const log = await baton.readEvents(id);
        const events = options.events ? log : undefined;
        if (options.json) {
          io.stdout(`${JSON.stringify(events ? { ...details, events } : details, null, 2)}\n`);
          setExit(ExitCode.ok);
          return;
        }
        const s = styles(io);
        const { run, tasks, metrics } = details;
        io.stdout(
          `${s.bold(run.id)}  ${statusColour(io, run.status)(run.status)}  ${run.workflowId}@${run.workflowVersion}\n`,
        );
        io.stdout(
          `progress ${metrics.progress.completedTasks}/${metrics.progress.totalTasks} tasks (${Math.round(metrics.progress.percentComplete)}%)` +
            ` · duration ${formatDuration(metrics.duration ?? 0)} · cost ${formatUsd(metrics.cost.total)}` +
            ` · parallelization ${Math.round(metrics.performance.parallelizationEfficiency)}%\n`,
        );
        for (const line of lineage(details)) io.stdout(`${s.dim(line)}\n`);
        if (run.error) io.stdout(`${s.red(run.error.code)}: ${run.error.message}\n`);
        io.stdout(`\n${s.bold('Tasks')}\n`);
        // Compensation rows are listed apart, under the rollback they belong to.
        for (const task of tasks.filter((t) => compensatedTask(t.key) === undefined)) {
          const took = task.endedAt && task.startedAt ? formatDuration(task.endedAt - task.startedAt) : '';
          io.stdout(
            `  ${task.key.padEnd(28)} ${statusColour(io, task.status)(task.status.padEnd(9))} ${(task.agent ?? '').padEnd(36)} ${took.padStart(8)}  attempt ${task.attempt}${task.error ? `  ${s.red(task.error.message)}` : ''}\n`,
          );
        }
        printRunHistory(io, details, log);
        if (run.output) io.stdout(`\n${s.bold('Outputs')}\n${JSON.stringify(run.output, null, 2)}\n`);
        if (events) {
          io.stdout(`\n${s.bold('Events')}\n`);
          for (const e of events) {
            io.stdout(
              `  ${String(e.seq).padStart(4)} ${new Date(e.at).toISOString()} ${e.type}${'taskKey' in e && e.taskKey ? ` ${e.taskKey}` : ''}\n`,
            );
          }
        }
        setExit(ExitCode.ok);
      } finally {
        await baton.close();
      }
    });
}
