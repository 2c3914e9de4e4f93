import type { Command } from 'commander';
import { FINAL_RUN_STATUSES } from '@baton/core';
import type { Baton } from '@baton/embedded';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { followRun } from '../run-session.js';
import { openBaton } from './run.js';

interface DecideOptions {
  by?: string;
  comment?: string;
  dataDir?: string;
  json: boolean;
}

/**
 * `baton runs decide <run> <task> <decision>` and `baton runs reply <run> <task> <answer>`: record a person's
 * decision on a waiting run — an approval, an escalated failure, or an agent's request for input — then drive
 * the run on in this process until it ends or waits again.
 */
export function registerDecide(runs: Command, io: CliIo, setExit: (code: number) => void): void {
  const common = (command: Command): Command =>
    command
      .option('--by <name>', 'who decides (default: $USER)')
      .option('--comment <text>', 'why')
      .option('-d, --data-dir <dir>', 'where runs are stored (default: $BATON_DATA_DIR or ./.baton)')
      .option('--json', 'print the final run document as JSON', false);

  common(
    runs
      .command('decide')
      .description('Decide a waiting approval and drive the run on until it ends or waits again.')
      .argument('<run>', 'run id')
      .argument('<task>', 'the approval task key, as `baton run` or `runs show` prints it')
      .argument('<decision>', 'one of the approval options, e.g. approved or rejected'),
  ).action(async (runId: string, taskKey: string, decision: string, options: DecideOptions) => {
    setExit(
      await decideAndFollow(io, runId, taskKey, options, (baton, by) =>
        baton.decide(runId, taskKey, decision, by, options.comment),
      ),
    );
  });

  common(
    runs
      .command('reply')
      .description("Answer an agent's request for input and drive the run on until it ends or waits again.")
      .argument('<run>', 'run id')
      .argument('<task>', 'the task whose agent asked, as `baton run` or `runs show` prints it')
      .argument('<answer>', 'the answer, sent as text (with --data: a JSON value)')
      .option('--data', 'the answer is JSON, sent as data', false),
  ).action(
    async (runId: string, taskKey: string, answer: string, options: DecideOptions & { data: boolean }) => {
      const reply = options.data ? parseJson(answer) : answer;
      setExit(
        await decideAndFollow(io, runId, taskKey, options, (baton, by) =>
          baton.reply(runId, taskKey, reply, {
            by,
            ...(options.comment === undefined ? {} : { comment: options.comment }),
          }),
        ),
      );
    },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--data: the answer is not JSON (${(error as Error).message})`);
  }
}

async function decideAndFollow(
  io: CliIo,
  runId: string,
  taskKey: string,
  options: DecideOptions,
  send: (baton: Baton, by: string) => Promise<void>,
): Promise<number> {
  const baton = await openBaton(io, options.dataDir);
  try {
    const details = await baton.getRun(runId);
    if (!details) throw new UsageError(`no run "${runId}" in ${baton.location}`);
    const task = details.tasks.find((t) => t.key === taskKey);
    if (task?.status !== 'waiting') {
      const waiting = details.tasks.filter((t) => t.status === 'waiting').map((t) => t.key);
      throw new UsageError(
        `task "${taskKey}" of run ${runId} is not waiting for a decision` +
          (waiting.length > 0 ? `; waiting: ${waiting.join(', ')}` : ''),
      );
    }
    const workflow = await baton.getWorkflow(details.run.workflowId, details.run.workflowVersion);
    if (!workflow) throw new UsageError(`the workflow of run ${runId} is not saved in ${baton.location}`);
    await send(baton, options.by ?? io.env['USER'] ?? 'cli');
    const now = (await baton.getRun(runId))?.run.status ?? details.run.status;
    if (!baton.drives(runId) && !FINAL_RUN_STATUSES.has(now)) {
      // Another process (a `baton serve`) drives the run and took the decision; it goes on there.
      if (options.json)
        io.stdout(`${JSON.stringify({ runId, taskKey, status: now, drivenElsewhere: true })}\n`);
      else
        io.stdout(`recorded for ${taskKey} of run ${runId}; the process that drives it goes on (${now})\n`);
      return ExitCode.ok;
    }
    const interactive = io.isTty && process.stdin.isTTY === true && !options.json;
    return await followRun(io, baton, workflow, runId, { json: options.json, interactive });
  } finally {
    await baton.close();
  }
}
