import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createBaton, type Baton, type CreateBatonOptions } from '@baton/embedded';
import { styles, UsageError, type CliIo } from '../io.js';
import { readJsonFile } from '../load-document.js';
import { followRun } from '../run-session.js';
import { collect } from './validate.js';

interface RunOptions {
  input: string[];
  inputFile?: string;
  dataDir?: string;
  json: boolean;
  stepThrough: boolean;
}

/** The data directory: `--data-dir`, else `BATON_DATA_DIR`, else `./.baton`. */
export function dataDirOf(io: CliIo, option: string | undefined): string {
  return option ?? io.env['BATON_DATA_DIR'] ?? '.baton';
}

/** Opens the embedded Baton for a command, relative to the command's working directory. */
export async function openBaton(
  io: CliIo,
  dataDir: string | undefined,
  options: Omit<CreateBatonOptions, 'dataDir'> = {},
): Promise<Baton> {
  return createBaton({
    ...distributedSettings(io),
    ...options,
    dataDir: resolve(io.cwd, dataDirOf(io, dataDir)),
  });
}

/** `BATON_DATABASE_URL`, `BATON_REDIS_URL` and `BATON_POOLS` from the command's environment. */
export function distributedSettings(
  io: CliIo,
): Pick<CreateBatonOptions, 'databaseUrl' | 'redisUrl' | 'pools'> {
  const value = (name: string): string | undefined => io.env[name]?.trim() || undefined;
  const databaseUrl = value('BATON_DATABASE_URL');
  const redisUrl = value('BATON_REDIS_URL');
  const pools = value('BATON_POOLS')
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return {
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(pools ? { pools } : {}),
  };
}

/** `baton run <workflow>`: runs a workflow embedded, with live progress, and prints its outputs. */
export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('Run a workflow in this process with live progress; print its outputs.')
    .argument('<workflow>', 'workflow JSON file (graph or nested form)')
    .option(
      '-i, --input <key=value>',
      'an input value (JSON values are parsed: n=3, tags=["a"])',
      collect,
      [],
    )
    .option('-f, --input-file <file>', 'a JSON file with the whole input object')
    .option('-d, --data-dir <dir>', 'where runs are stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print the final run document as JSON', false)
    .option(
      '--step-through',
      'hold every agent task until it is stepped: Enter at a terminal, else `baton runs step`',
      false,
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 completed, 1 the workflow is invalid or the run did not complete (failed, cancelled,\n' +
        'rolled back), 2 usage error, 3 the run waits for a person (it stays saved; decide with `baton runs decide`).\n' +
        'On a terminal, approvals and held tasks are asked for in place.\n' +
        'Example:\n  baton run templates/rfp-response.json --input-file examples/inputs/rfp-response.json',
    )
    .action(async (file: string, options: RunOptions) => {
      const input = {
        ...(options.inputFile ? await readInputFile(options.inputFile, io.cwd) : {}),
        ...parseInputPairs(options.input),
      };
      const document = await readJsonFile(file, io.cwd);
      const baton = await openBaton(io, options.dataDir);
      try {
        const workflow = baton.parseWorkflow(document);
        const run = await baton.startRun(workflow, input, options.stepThrough ? { stepThrough: true } : {});
        if (!options.json)
          io.stdout(`${styles(io).bold(workflow.name)} ${styles(io).dim(`run ${run.id}`)}\n`);
        const interactive = io.isTty && process.stdin.isTTY === true && !options.json;
        setExit(await followRun(io, baton, workflow, run.id, { json: options.json, interactive }));
      } finally {
        await baton.close();
      }
    });
}

/** Reads a JSON file that must hold one object (`--input-file`). */
export async function readInputFile(path: string, cwd: string): Promise<Record<string, unknown>> {
  const data = await readJsonFile(path, cwd);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`${path}: the input file must hold a JSON object`);
  }
  return data as Record<string, unknown>;
}

/**
 * `key=value` pairs; a value that parses as JSON is taken as JSON, else as a string. `what` names the pairs in
 * the error message (`--input`, `a variable`).
 */
export function parseInputPairs(pairs: readonly string[], what = '--input'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what} "${pair}" must look like key=value`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text.
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}
