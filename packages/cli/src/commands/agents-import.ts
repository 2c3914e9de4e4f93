import type { Command } from 'commander';
import { ExitCode, styles, type CliIo } from '../io.js';
import { openBaton } from './run.js';

interface ImportOptions {
  id?: string;
  authSecret?: string;
  dryRun: boolean;
  dataDir?: string;
  json: boolean;
}

/**
 * `BATON_EGRESS_ALLOW` of the command's environment, comma-separated: the destinations the CLI may reach
 * although private or loopback, as the runtimes of `createBaton` read it.
 */
export function egressAllowOf(io: CliIo): string[] {
  return (io.env['BATON_EGRESS_ALLOW'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * `baton agents import <card-url>`: reads an A2A agent card (or the card under an agent's base URL) through
 * the egress guard and saves it as an `a2a` agent; `--dry-run` prints the definition without saving it.
 */
export function registerAgentImport(agents: Command, io: CliIo, setExit: (code: number) => void): void {
  agents
    .command('import')
    .description('Import an A2A agent from its agent card (a card URL, or the agent’s base URL).')
    .argument('<card-url>', 'the agent card’s URL, or the base URL its .well-known/agent-card.json is under')
    .option('--id <id>', 'the agent id (default: a slug of the card’s name)')
    .option('--auth-secret <name>', 'a secret sent as a bearer token, read from BATON_SECRET_<NAME>')
    .option('--dry-run', 'print the definition; save nothing', false)
    .option('-d, --data-dir <dir>', 'where the registry is stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print the definition as JSON', false)
    .action(async (url: string, options: ImportOptions) => {
      const baton = await openBaton(io, options.dataDir, { egressAllow: egressAllowOf(io) });
      try {
        const agent = await baton.importA2aAgent(url, {
          save: !options.dryRun,
          ...(options.id === undefined ? {} : { id: options.id }),
          ...(options.authSecret === undefined ? {} : { authSecret: options.authSecret }),
        });
        if (options.json) io.stdout(`${JSON.stringify(agent, null, 2)}\n`);
        else {
          const verb = options.dryRun ? 'would import' : 'imported';
          const skills = styles(io).dim(`skills: ${agent.capabilities.skills.join(', ')}`);
          io.stdout(
            `${verb} ${agent.id}@${agent.version} (a2a ${String(agent.settings?.['url'])}) ${skills}\n`,
          );
        }
        setExit(ExitCode.ok);
      } finally {
        await baton.close();
      }
    });
}
