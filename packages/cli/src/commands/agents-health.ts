import type { Command } from 'commander';
import type { AgentProbeReport } from '@baton/embedded';
import { ExitCode, styles, type CliIo } from '../io.js';
import { egressAllowOf } from './agents-import.js';
import { openBaton } from './run.js';

/**
 * `baton agents health [agents…]`: probes agents (a request that runs no task: an HTTP agent's endpoint, an
 * A2A card, an MCP server's tools, a model API's models) and prints each one's status and latency with what
 * its circuit breaker says. Exits 1 when any probed agent is down.
 */
export function registerAgentHealth(agents: Command, io: CliIo, setExit: (code: number) => void): void {
  agents
    .command('health')
    .description('Probe agents and show whether they answer, how fast, and their circuit breakers.')
    .argument('[agents...]', 'ids or id@version (default: every agent)')
    .option('-d, --data-dir <dir>', 'where the registry is stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print JSON', false)
    .action(async (refs: string[], options: { dataDir?: string; json: boolean }) => {
      const baton = await openBaton(io, options.dataDir, { egressAllow: egressAllowOf(io) });
      try {
        const reports = await baton.probeAgents(refs.length > 0 ? refs : undefined);
        if (options.json) io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
        else for (const report of reports) io.stdout(`${healthLine(io, report)}\n`);
        setExit(reports.some((r) => r.status === 'down') ? ExitCode.invalid : ExitCode.ok);
      } finally {
        await baton.close();
      }
    });
}

function healthLine(io: CliIo, report: AgentProbeReport): string {
  const s = styles(io);
  const colour = { up: s.green, down: s.red, local: s.dim, 'not-probed': s.yellow }[report.status];
  const latency = report.latencyMs === undefined ? '' : `${report.latencyMs} ms`;
  const breaker =
    report.breaker === undefined
      ? s.dim('no calls')
      : `breaker ${report.breaker.state}, ${report.breaker.health}, ` +
        `${Math.round(report.breaker.failureRate * 100)} % failed`;
  const error = report.error === undefined ? '' : s.dim(`  ${report.error}`);
  return `${report.agent.padEnd(40)} ${colour(report.status.padEnd(10))} ${latency.padEnd(8)} ${breaker}${error}`;
}
