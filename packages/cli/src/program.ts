import { Command, CommanderError } from 'commander';
import { isBatonError } from '@baton/core';
import { registerAgents } from './commands/agents.js';
import { registerApprovals } from './commands/approvals.js';
import { registerPlan } from './commands/plan.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerSchema } from './commands/schema.js';
import { registerServe } from './commands/serve.js';
import { registerValidate } from './commands/validate.js';
import { ExitCode, UsageError, type CliIo } from './io.js';

/** The CLI's version, shown by `baton --version`. */
export const CLI_VERSION = '0.1.0';

/**
 * Runs `baton` with the given arguments (without `node` and the script) and returns the exit code.
 * Never calls `process.exit`, so tests run commands in-process.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command()
    .name('baton')
    .description('Baton: durable multi-agent workflow orchestration.')
    .version(CLI_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');
  registerValidate(program, io, setExit);
  registerPlan(program, io, setExit);
  registerRun(program, io, setExit);
  registerRuns(program, io, setExit);
  registerApprovals(program, io, setExit);
  registerAgents(program, io, setExit);
  registerSchema(program, io, setExit);
  registerServe(program, io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io);
  }
}

function handleError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version "errors" are commander's way of saying it printed what was asked.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    if (error.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof UsageError) {
    io.stderr(`baton: ${error.message}\n`);
    return ExitCode.usage;
  }
  if (isBatonError(error)) {
    io.stderr(`baton: ${error.message} [${error.code}]\n`);
    return ExitCode.invalid;
  }
  throw error;
}
