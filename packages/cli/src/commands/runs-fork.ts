import type { Command } from 'commander';
import { ExitCode, styles, type CliIo } from '../io.js';
import { followRun } from '../run-session.js';
import { openBaton, parseInputPairs, readInputFile } from './run.js';
import { collect } from './validate.js';

interface ForkCommandOptions {
  from: string;
  input: string[];
  inputFile?: string;
  stepThrough: boolean;
  dataDir?: string;
  json: boolean;
}

/**
 * `baton runs fork <run> --from <node>`: starts a new run of the same workflow version that runs `node` and
 * everything downstream of it again, reusing the recorded outputs of the other steps (no agent is called for
 * them), then follows it like `baton run`.
 */
export function registerFork(runs: Command, io: CliIo, setExit: (code: number) => void): void {
  runs
    .command('fork')
    .description(
      'Run a finished or stopped run again from a node, reusing the outputs of the steps before it.',
    )
    .argument('<run>', 'the run to fork')
    .requiredOption('--from <node>', 'the node to run again, with everything downstream of it')
    .option(
      '-i, --input <key=value>',
      'an input value laid over the original input (JSON values are parsed)',
      collect,
      [],
    )
    .option('-f, --input-file <file>', 'a JSON object laid over the original input')
    .option('--step-through', 'hold every agent task of the fork until it is stepped', false)
    .option('-d, --data-dir <dir>', 'where runs are stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print the final run document as JSON', false)
    .addHelpText(
      'after',
      '\nThe fork is labelled baton.forked-from=<run> and baton.fork-at=<node>. Exit codes as for `baton run`.',
    )
    .action(async (runId: string, options: ForkCommandOptions) => {
      const input = {
        ...(options.inputFile ? await readInputFile(options.inputFile, io.cwd) : {}),
        ...parseInputPairs(options.input),
      };
      const baton = await openBaton(io, options.dataDir);
      try {
        const original = await baton.getRun(runId);
        const workflow =
          original && (await baton.getWorkflow(original.run.workflowId, original.run.workflowVersion));
        if (!original || !workflow) {
          io.stderr(
            `baton: ${original ? `the workflow of run "${runId}" is not saved` : `no run "${runId}"`} in ${baton.location}\n`,
          );
          setExit(ExitCode.invalid);
          return;
        }
        const fork = await baton.fork(runId, {
          from: options.from,
          ...(Object.keys(input).length > 0 ? { input } : {}),
          ...(options.stepThrough ? { stepThrough: true } : {}),
        });
        if (!options.json) {
          const s = styles(io);
          io.stdout(
            `${s.bold(workflow.name)} ${s.dim(`run ${fork.id} · fork of ${runId} at ${options.from}`)}\n`,
          );
        }
        const interactive = io.isTty && process.stdin.isTTY === true && !options.json;
        setExit(await followRun(io, baton, workflow, fork.id, { json: options.json, interactive }));
      } finally {
        await baton.close();
      }
    });
}
