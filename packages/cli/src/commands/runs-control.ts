import type { Command } from 'commander';
import { isBatonError, type OperatorInputType, type RunEvent } from '@baton/core';
import type { ActOptions, Baton } from '@baton/embedded';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { readJsonFile } from '../load-document.js';
import { compact, compensatedTask, VERBS } from '../run-notes.js';
import { openBaton, parseInputPairs } from './run.js';
import { registerFork } from './runs-fork.js';

interface ControlOptions {
  by?: string;
  reason?: string;
  dataDir?: string;
}

/** Who acts and why, as the audit trail records it; `by` defaults to the user running the command. */
type Actor = Required<Pick<ActOptions, 'by'>> & Pick<ActOptions, 'reason'>;

type OperatorActed = Extract<RunEvent, { type: 'operator.acted' }>;

/**
 * `baton runs pause | resume | cancel | retry-task | skip-task | set-var | edit-input | rollback | step | fork`:
 * an operator's controls. Each is applied by whichever process drives the run (this one, or another sharing
 * the data directory, within ~100 ms), recorded in the run's audit trail with who and why, and printed as one
 * line. A control the run's state refuses changes nothing: the reason goes to stderr and the exit code is 1.
 */
export function registerControls(runs: Command, io: CliIo, setExit: (code: number) => void): void {
  const act = actOn(io, setExit);
  control(runs, 'pause', 'Pause a run: nothing new starts; tasks in flight finish and are recorded.').action(
    (runId: string, options: ControlOptions) =>
      act('pause', runId, options, async (baton, who) => {
        await baton.pause(runId, who.by, who.reason);
        return () => `paused run ${runId}${byLine(who)}`;
      }),
  );
  control(runs, 'resume', 'Resume a paused run.').action((runId: string, options: ControlOptions) =>
    act('resume', runId, options, async (baton, who) => {
      await baton.resume(runId, who.by, who.reason);
      return () => `resumed run ${runId}${byLine(who)}`;
    }),
  );
  control(runs, 'cancel', 'Cancel a run: everything open is cancelled and the run ends.').action(
    (runId: string, options: ControlOptions) =>
      act('cancel', runId, options, async (baton, who) => {
        await baton.cancel(runId, who.by, who.reason);
        return () => `cancelled run ${runId}${byLine(who)}`;
      }),
  );
  control(runs, 'retry-task', 'Run a failed task that waits for a person (escalated) again.')
    .argument('<task>', 'the task key, as `runs show` prints it')
    .action((runId: string, taskKey: string, options: ControlOptions) =>
      act('task.retry', runId, options, async (baton, who) => {
        await baton.retryTask(runId, taskKey, who);
        return () => `retrying task ${taskKey} of run ${runId}${byLine(who)}`;
      }),
    );
  control(runs, 'skip-task', 'Settle an open task with an output, as if its agent had returned it.')
    .argument('<task>', 'the task key, as `runs show` prints it')
    .option('-o, --output <json>', 'the output, as JSON (default: null)')
    .option('--output-file <file>', 'a JSON file with the output')
    .action(
      async (
        runId: string,
        taskKey: string,
        options: ControlOptions & { output?: string; outputFile?: string },
      ) => {
        const output = await readOutput(io, options);
        await act('task.skip', runId, options, async (baton, who) => {
          await baton.skipTask(runId, taskKey, output, who);
          return () => `skipped task ${taskKey} of run ${runId} with output ${compact(output)}${byLine(who)}`;
        });
      },
    );
  control(runs, 'set-var', 'Set workflow variables of a paused run (JSON values are parsed: n=3).')
    .argument('<name=value...>', 'variables to set')
    .action((runId: string, pairs: string[], options: ControlOptions) => {
      const vars = parseInputPairs(pairs, 'the variable');
      return act('vars.set', runId, options, async (baton, who) => {
        await baton.setVars(runId, vars, who);
        return () => `set ${assignments(vars)} on run ${runId}${byLine(who)}`;
      });
    });
  control(runs, 'edit-input', 'Lay values over the inputs of an agent task that has not started.')
    .argument('<task>', 'the task key, as `runs show` prints it')
    .argument('<key=value...>', 'inputs to set (JSON values are parsed)')
    .action((runId: string, taskKey: string, pairs: string[], options: ControlOptions) => {
      const input = parseInputPairs(pairs, 'the input');
      return act('task.edit-input', runId, options, async (baton, who) => {
        await baton.editTaskInput(runId, taskKey, input, who);
        return () =>
          `edited the input of task ${taskKey} of run ${runId}: ${assignments(input)}${byLine(who)}`;
      });
    });
  control(
    runs,
    'rollback',
    'Cancel what is open and undo the completed steps (their compensations), newest first.',
  )
    .addHelpText(
      'after',
      '\nWaits until the run is rolled_back (exit 0) or rollback_failed (exit 1); this process drives the\n' +
        'compensations meanwhile if no other process does.',
    )
    .action((runId: string, options: ControlOptions) =>
      act(
        'rollback',
        runId,
        options,
        async (baton, who) => {
          await baton.rollback(runId, who);
          return () => `rolling back run ${runId}${byLine(who)}`;
        },
        (baton) => rollbackEnd(io, baton, runId),
      ),
    );
  control(runs, 'step', 'Dispatch the next held task of a step-through run.', false).action(
    (runId: string, options: ControlOptions) =>
      act('step', runId, options, async (baton, who) => {
        await baton.step(runId, who.by);
        return (acted) => {
          const taskKey = acted?.details?.['taskKey'];
          return typeof taskKey === 'string'
            ? `stepped run ${runId}: dispatched ${taskKey}${byLine(who)}`
            : `stepped run ${runId}: no task was held${byLine(who)}`;
        };
      }),
  );
  registerFork(runs, io, setExit);
}

/** A control command with the options every one of them takes. */
function control(runs: Command, name: string, description: string, reason = true): Command {
  const command = runs
    .command(name)
    .description(description)
    .argument('<run>', 'run id')
    .option('--by <name>', 'who acts, for the audit trail (default: $USER)');
  if (reason) command.option('--reason <text>', 'why, for the audit trail');
  return command.option(
    '-d, --data-dir <dir>',
    'where runs are stored (default: $BATON_DATA_DIR or ./.baton)',
  );
}

/**
 * Runs one control against a Baton on the data directory and prints what happened — once the control's audit
 * record is in the store, so that a run this process took over (nobody else drove it) keeps the act after the
 * command exits. When the run refuses the control, prints `baton: <verb> refused for run <id>: <why> [<code>]`
 * on stderr and exits 1; likewise, as `not applied yet`, when no process applied it in time.
 */
function actOn(io: CliIo, setExit: (code: number) => void) {
  return async (
    command: OperatorInputType,
    runId: string,
    options: ControlOptions,
    send: (baton: Baton, who: Actor) => Promise<(acted: OperatorActed | undefined) => string>,
    /** What to wait for after the control was applied; resolves with the exit code. */
    after?: (baton: Baton) => Promise<number>,
  ): Promise<void> => {
    const who: Actor = {
      by: options.by ?? io.env['USER'] ?? 'cli',
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    };
    const baton = await openBaton(io, options.dataDir);
    try {
      if (!(await baton.getRun(runId))) {
        io.stderr(`baton: no run "${runId}" in ${baton.location}\n`);
        setExit(ExitCode.invalid);
        return;
      }
      const before = (await baton.readEvents(runId)).at(-1)?.seq ?? 0;
      const line = await send(baton, who);
      io.stdout(`${line(await recorded(baton, runId, before, command))}\n`);
      setExit(after ? await after(baton) : ExitCode.ok);
    } catch (error) {
      if (!isBatonError(error)) throw error;
      // The engine names the run in messages that came through another process's inbox; once is enough.
      const message = error.message.replace(`run "${runId}": `, '').replace(`run "${runId}" `, 'the run ');
      const code = error.details?.['code'];
      // A timeout is no refusal: the command stays queued for the next process that drives the run.
      const outcome = error.code === 'TIMEOUT' ? 'not applied yet' : 'refused';
      io.stderr(
        `baton: ${VERBS[command]} ${outcome} for run ${runId}: ${message} [${typeof code === 'string' ? code : error.code}]\n`,
      );
      setExit(ExitCode.invalid);
    } finally {
      await baton.close();
    }
  };
}

/** The audit record of an applied control, read back from the store (committed before the control resolved). */
async function recorded(
  baton: Baton,
  runId: string,
  afterSeq: number,
  command: OperatorInputType,
): Promise<OperatorActed | undefined> {
  return (await baton.readEvents(runId, afterSeq)).find(
    (e): e is OperatorActed => e.type === 'operator.acted' && e.command === command,
  );
}

/**
 * Waits for a rollback to end, reading the run from the store (the process that drives it may be another one),
 * and prints how it ended: exit 0 when every compensation succeeded, 1 when one failed.
 */
async function rollbackEnd(io: CliIo, baton: Baton, runId: string): Promise<number> {
  for (;;) {
    const details = await baton.getRun(runId);
    const run = details?.run;
    if (run?.status === 'rolled_back') {
      const undone = details?.tasks.flatMap((t) => compensatedTask(t.key) ?? []);
      io.stdout(
        `rolled back run ${runId}${undone && undone.length > 0 ? `: undid ${undone.join(', ')}` : ': nothing to undo'}\n`,
      );
      return ExitCode.ok;
    }
    if (run === undefined || run.status !== 'rolling_back') {
      io.stderr(
        `baton: rollback of run ${runId} ended ${run?.status ?? 'with the run gone'}: ${run?.error?.message ?? ''}\n`,
      );
      return ExitCode.invalid;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** ` (by ana: why)` */
function byLine(who: Actor): string {
  return ` (by ${who.by}${who.reason === undefined ? '' : `: ${who.reason}`})`;
}

/** `a=1, b="x"` */
function assignments(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${compact(value)}`)
    .join(', ');
}

/** The output of `skip-task`: `--output` JSON, or `--output-file`, or null. */
async function readOutput(io: CliIo, options: { output?: string; outputFile?: string }): Promise<unknown> {
  if (options.output !== undefined && options.outputFile !== undefined)
    throw new UsageError('give --output or --output-file, not both');
  if (options.outputFile !== undefined) return readJsonFile(options.outputFile, io.cwd);
  if (options.output === undefined) return null;
  try {
    return JSON.parse(options.output) as unknown;
  } catch {
    throw new UsageError(`--output must be JSON (a string is quoted: '"done"'); got ${options.output}`);
  }
}
