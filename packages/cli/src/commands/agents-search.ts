import type { Command } from 'commander';
import { AgentStatusSchema, DomainSchema, type AgentQuery, type AgentStatus } from '@baton/core';
import type { Baton } from '@baton/embedded';
import { ExitCode, styles, UsageError, type CliIo } from '../io.js';
import { listLine } from './agents-format.js';

interface SearchOptions {
  domain?: string;
  skill?: string[];
  input?: string;
  output?: string;
  status?: string[];
  maxCost?: string;
  maxLatency?: string;
  minSuccess?: string;
  limit?: string;
  dataDir?: string;
  json: boolean;
}

/**
 * `baton agents search [words…]`: the catalog search — words in the id, name, skills or description, and
 * filters by domain, skill, types, status and cost / latency / success (judged as selection judges them:
 * measured once there are enough executions, declared before).
 */
export function registerAgentSearch(
  agents: Command,
  io: CliIo,
  withBaton: (dataDir: string | undefined, work: (baton: Baton) => Promise<number>) => Promise<void>,
): void {
  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  agents
    .command('search')
    .description('Search the catalog by words and filters, best match first.')
    .argument('[words...]', 'words that must all appear in the id, name, skills or description')
    .option('--domain <domain>', `one of ${DomainSchema.options.join(', ')}`)
    .option('--skill <skill>', 'a skill the agent must offer (repeat for several)', collect)
    .option('--input <type>', 'an input type it must take')
    .option('--output <type>', 'an output type it must give')
    .option('-s, --status <status>', 'a status to include (repeat; default: all but offline)', collect)
    .option('--max-cost <usd>', 'at most this cost per execution (USD)')
    .option('--max-latency <ms>', 'at most this average latency (ms)')
    .option('--min-success <percent>', 'at least this success rate (percent)')
    .option('-n, --limit <n>', 'at most this many')
    .option('-d, --data-dir <dir>', 'where the registry is stored (default: $BATON_DATA_DIR or ./.baton)')
    .option('--json', 'print JSON', false)
    .action((words: string[], options: SearchOptions) => {
      const query = toQuery(words, options);
      return withBaton(options.dataDir, (baton) => {
        const found = baton.searchAgents(query);
        if (options.json) io.stdout(`${JSON.stringify(found, null, 2)}\n`);
        else if (found.length === 0) io.stdout(`${styles(io).dim('No agent matches.')}\n`);
        else for (const agent of found) io.stdout(`${listLine(io, agent)}\n`);
        return Promise.resolve(ExitCode.ok);
      });
    });
}

function toQuery(words: string[], o: SearchOptions): AgentQuery {
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new UsageError(`${flag} must be a number ≥ 0`);
    return parsed;
  };
  const domain = o.domain === undefined ? undefined : DomainSchema.safeParse(o.domain);
  if (domain && !domain.success)
    throw new UsageError(`unknown domain "${o.domain}": use ${DomainSchema.options.join(', ')}`);
  const statuses = (o.status ?? []).map((s): AgentStatus => {
    const parsed = AgentStatusSchema.safeParse(s);
    if (!parsed.success)
      throw new UsageError(`unknown status "${s}": use ${AgentStatusSchema.options.join(', ')}`);
    return parsed.data;
  });
  const maxCost = number('--max-cost', o.maxCost);
  const maxLatency = number('--max-latency', o.maxLatency);
  const minSuccess = number('--min-success', o.minSuccess);
  const limit = number('--limit', o.limit);
  return {
    ...(words.length > 0 ? { text: words.join(' ') } : {}),
    ...(domain?.success ? { domain: domain.data } : {}),
    ...(o.skill ? { skills: o.skill } : {}),
    ...(o.input === undefined ? {} : { inputType: o.input }),
    ...(o.output === undefined ? {} : { outputType: o.output }),
    ...(statuses.length > 0 ? { status: statuses } : {}),
    ...(maxCost === undefined ? {} : { costUsd: { max: maxCost } }),
    ...(maxLatency === undefined ? {} : { latencyMs: { max: maxLatency } }),
    ...(minSuccess === undefined ? {} : { minSuccessRate: minSuccess }),
    ...(limit === undefined ? {} : { limit }),
  };
}
