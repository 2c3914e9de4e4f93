import { resolve } from 'node:path';
import type { Command } from 'commander';
import { planWorkflow, type Workflow } from '@baton/core';
import { createBaton, type Baton } from '@baton/embedded';
import { formatDuration, formatUsd } from '../format.js';
import { ExitCode, styles, UsageError, type CliIo } from '../io.js';
import { readJsonFile } from '../load-document.js';
import { ProgressView } from '../progress-view.js';
import { collect } from './validate.js';

interface RunOptions {
  input: string[];
  inputFile?: string;
  dataDir?: string;
  json: boolean;
}

/** The data directory: `--data-dir`, else `BATON_DATA_DIR`, else `./.baton`. */
export function dataDirOf(io: CliIo, option: string | undefined): string {
  return option ?? io.env['BATON_DATA_DIR'] ?? '.baton';
}

/** Opens the embedded Baton for a command, relative to the command's working directory. */
export async function openBaton(io: CliIo, dataDir: string | undefined): Promise<Baton> {
  return createBaton({ dataDir: resolve(io.cwd, dataDirOf(io, dataDir)) });
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
    .addHelpText(
      'after',
      '\nExit codes: 0 completed, 1 the workflow is invalid or the run did not complete, 2 usage error.\n' +
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
        setExit(await runWithProgress(io, baton, workflow, input, options.json));
      } finally {
        await baton.close();
      }
    });
}

async function runWithProgress(
  io: CliIo,
  baton: Baton,
  workflow: Workflow,
  input: Record<string, unknown>,
  json: boolean,
): Promise<number> {
  const s = styles(io);
  const plan = planWorkflow(workflow, {
    agentLookup: (node) => {
      const agent = node.agent ? baton.catalog.resolve(node.agent) : undefined;
      return agent
        ? { avgLatencyMs: agent.performance.avgLatency, costPerExecution: agent.performance.costPerExecution }
        : undefined;
    },
  });
  const view = new ProgressView(io, plan, Date.now());
  const log = json ? undefined : view;
  const started = await baton.startRun(workflow, input);
  // Subscribed before the event loop turns: the run's first events are published after its first commit.
  const unsubscribe = baton.subscribe(started.id, (event) => log?.onEvent(event));
  if (!json) io.stdout(`${s.bold(workflow.name)} ${s.dim(`run ${started.id}`)}\n`);
  const ticker = log && io.isTty ? setInterval(() => view.render(Date.now()), 100) : undefined;
  const run = await baton.waitForRun(started.id);
  if (ticker) clearInterval(ticker);
  unsubscribe();
  if (json) {
    const details = await baton.getRun(run.id);
    io.stdout(`${JSON.stringify(details ?? run, null, 2)}\n`);
  } else {
    view.render(Date.now());
    const took = (run.endedAt ?? Date.now()) - (run.startedAt ?? run.createdAt);
    const mark = run.status === 'completed' ? s.green('✓ completed') : s.red(`✗ ${run.status}`);
    io.stdout(`\n${mark} in ${formatDuration(took)} · cost ${formatUsd(run.costUsd)} · run ${run.id}\n`);
    if (run.error) io.stdout(`${s.red(run.error.code)}: ${run.error.message}\n`);
    if (run.output && Object.keys(run.output).length > 0) {
      io.stdout(`\n${s.bold('Outputs')}\n`);
      for (const [key, value] of Object.entries(run.output)) io.stdout(`${s.cyan(key)}: ${show(value)}\n`);
    }
  }
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

async function readInputFile(path: string, cwd: string): Promise<Record<string, unknown>> {
  const data = await readJsonFile(path, cwd);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`${path}: the input file must hold a JSON object`);
  }
  return data as Record<string, unknown>;
}

/** `key=value` pairs; a value that parses as JSON is taken as JSON, else as a string. */
export function parseInputPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input "${pair}" must look like key=value`);
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
