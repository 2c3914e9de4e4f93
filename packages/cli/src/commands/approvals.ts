import type { Command } from 'commander';
import { formatDuration } from '../format.js';
import { ExitCode, styles, type CliIo } from '../io.js';
import { answerCommands } from '../run-notes.js';
import { openBaton } from './run.js';

/**
 * `baton approvals`: the inbox — every task of an unfinished run that waits for a person (an approval, a failure
 * escalated to a person, an agent's question), oldest first, each with the command that answers it.
 */
export function registerApprovals(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('approvals')
    .description('List what waits for a person: approvals, escalated failures and agents asking for input.')
    .option('--assignee <who>', 'only those assigned to this user or `role:<name>`')
    .option('--run <id>', 'only those of this run')
    .option('-d, --data-dir <dir>', 'where runs are stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print JSON', false)
    .action(async (options: { assignee?: string; run?: string; dataDir?: string; json: boolean }) => {
      const baton = await openBaton(io, options.dataDir);
      try {
        const pending = await baton.pendingApprovals({
          ...(options.assignee === undefined ? {} : { assignee: options.assignee }),
          ...(options.run === undefined ? {} : { runId: options.run }),
        });
        if (options.json) {
          io.stdout(`${JSON.stringify(pending, null, 2)}\n`);
        } else if (pending.length === 0) {
          io.stdout('Nothing waits for a person.\n');
        } else {
          const s = styles(io);
          const now = Date.now();
          for (const item of pending) {
            const age = formatDuration(Math.max(0, now - item.requestedAt));
            const urgent = item.urgency === 'high' || item.urgency === 'critical';
            io.stdout(
              `${s.bold(item.taskKey)} ${s.dim(`· run ${item.runId} · ${item.workflowId}@${item.workflowVersion}`)}\n` +
                `  ${(urgent ? s.red : s.yellow)(item.kind)} for ${item.assignee}, asked ${age} ago: ${item.message}\n` +
                answerCommands(item.runId, item)
                  .map((command) => `  ${s.dim(command)}\n`)
                  .join(''),
            );
          }
          io.stdout(`${pending.length} waiting\n`);
        }
        setExit(ExitCode.ok);
      } finally {
        await baton.close();
      }
    });
}
