import type { Command } from 'commander';
import {
  AgentStatusSchema,
  validateAgentDefinition,
  type AgentDefinition,
  type AgentDependencies,
  type AgentStatus,
  type Domain,
  type Problem,
} from '@baton/core';
import {
  withRegistrationTimes,
  type AgentPerformanceReport,
  type AgentSaveInput,
  type AgentUsage,
  type Baton,
} from '@baton/embedded';
import { formatUsd } from '../format.js';
import { ExitCode, styles, UsageError, type CliIo } from '../io.js';
import { readAgentDocuments } from '../load-document.js';
import { countProblems, printProblems } from '../problems-report.js';
import { listLine, statusColour } from './agents-format.js';
import { registerAgentHealth } from './agents-health.js';
import { registerAgentImport } from './agents-import.js';
import { registerAgentSearch } from './agents-search.js';
import { openBaton } from './run.js';

const STATUSES: readonly AgentStatus[] = AgentStatusSchema.options;
const DATA_DIR = 'where the registry is stored (default: $BATON_DATA_DIR or ./.baton)';

/** One version as `agents show --json` prints it. */
interface ShownVersion {
  definition: AgentDefinition;
  usage: Omit<AgentUsage, 'agent'>;
  performance: AgentPerformanceReport;
  dependencies: AgentDependencies;
}

/**
 * `baton agents list | show | register | deprecate | status`: the agent registry of the data directory (or of
 * `BATON_DATABASE_URL`). It holds the built-in agents and the definitions saved with `register`; agents given
 * to `createBaton` in code are not in it unless their status was changed through the SDK.
 */
export function registerAgents(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const agents = program.command('agents').description('List, inspect, register and retire agents.');
  const withBaton = async (dataDir: string | undefined, work: (baton: Baton) => Promise<number>) => {
    const baton = await openBaton(io, dataDir);
    try {
      setExit(await work(baton));
    } finally {
      await baton.close();
    }
  };

  agents
    .command('list')
    .description('List every agent version: ids alphabetically, versions newest first.')
    .option('-s, --status <status>', `only versions in this status (${STATUSES.join(', ')})`)
    .option('--domain <domain>', 'only agents of this domain')
    .option('-d, --data-dir <dir>', DATA_DIR)
    .option('--json', 'print JSON', false)
    .action((options: { status?: string; domain?: string; dataDir?: string; json: boolean }) => {
      if (options.status !== undefined) statusOf(options.status);
      return withBaton(options.dataDir, (baton) => {
        const list = baton.catalog
          .list()
          .filter((a) => options.status === undefined || a.status === options.status)
          .filter(
            (a) => options.domain === undefined || a.capabilities.domain === (options.domain as Domain),
          );
        if (options.json) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0) io.stdout('No agent matches.\n');
        else for (const agent of list) io.stdout(`${listLine(io, agent)}\n`);
        return Promise.resolve(ExitCode.ok);
      });
    });

  registerAgentSearch(agents, io, withBaton);
  registerAgentImport(agents, io, setExit);
  registerAgentHealth(agents, io, setExit);

  agents
    .command('show')
    .description(
      'Show an agent: its definition, status, deprecation and usage; every version without @version.',
    )
    .argument('<agent>', 'id or id@version (a range such as id@^1.0.0 shows the version it resolves to)')
    .option('-d, --data-dir <dir>', DATA_DIR)
    .option('--json', 'print JSON', false)
    .action((ref: string, options: { dataDir?: string; json: boolean }) =>
      withBaton(options.dataDir, async (baton) => {
        const { id, version } = splitRef(ref);
        const found =
          version === undefined ? baton.catalog.versions(id) : [baton.catalog.resolve({ id, version })];
        const versions = found.filter((a): a is AgentDefinition => a !== undefined);
        if (versions.length === 0) {
          io.stderr(`baton: no agent "${ref}" in ${baton.location}\n`);
          return ExitCode.invalid;
        }
        const usage = new Map((await baton.agentUsage()).map(({ agent, ...counts }) => [agent, counts]));
        const shown: ShownVersion[] = [];
        for (const definition of versions) {
          const exact = `${definition.id}@${definition.version}`;
          shown.push({
            definition,
            usage: usage.get(exact) ?? { tasks: 0, runs: 0, lastUsedAt: 0 },
            performance: baton.agentPerformance(exact),
            dependencies: await baton.agentDependencies(exact),
          });
        }
        if (options.json) io.stdout(`${JSON.stringify({ id, versions: shown }, null, 2)}\n`);
        else io.stdout(shown.map((v) => showVersion(io, v)).join('\n'));
        return ExitCode.ok;
      }),
    );

  agents
    .command('register')
    .description('Validate agent definitions and save them in the registry; none is saved if any is invalid.')
    .argument('<file>', 'a JSON file holding one definition or a list of them, or a directory of such files')
    .option('-d, --data-dir <dir>', DATA_DIR)
    .addHelpText('after', '\nExit codes: 0 saved, 1 a definition is invalid (nothing saved), 2 usage error.')
    .action(async (path: string, options: { dataDir?: string }) => {
      if (/\.ya?ml$/i.test(path)) {
        throw new UsageError(`${path}: YAML is not supported; write the definitions as JSON`);
      }
      // Stamped as the registry would, so that definitions need not carry createdAt and updatedAt.
      const at = new Date().toISOString();
      const documents = (await readAgentDocuments(path, io.cwd)).map(({ file, document }) => ({
        file,
        document: withRegistrationTimes(document as AgentSaveInput, at),
      }));
      const failed: { label: string; problems: Problem[] }[] = [];
      for (const { file, document } of documents) {
        const { ok, problems } = validateAgentDefinition(document);
        const id = (document as { id?: unknown } | null)?.id;
        const label = typeof id === 'string' ? `${file} (agent "${id}")` : file;
        if (!ok) failed.push({ label, problems });
        else if (problems.length > 0) {
          io.stderr(`${label}: ${countProblems(problems)}\n`);
          printProblems(io, problems, io.stderr);
        }
      }
      if (failed.length > 0) {
        for (const { label, problems } of failed) {
          io.stderr(`${label}: invalid agent definition (${countProblems(problems)})\n`);
          printProblems(io, problems, io.stderr);
        }
        io.stderr(`baton: nothing was registered: fix the definitions above and register again\n`);
        setExit(ExitCode.invalid);
        return;
      }
      await withBaton(options.dataDir, async (baton) => {
        // The SDK checks again what needs the registry (replacements, versions defined in code) before saving.
        const saved = await baton.saveAgents(documents.map((d) => d.document));
        for (const agent of saved) io.stdout(`registered ${agent.id}@${agent.version} (${agent.status})\n`);
        return ExitCode.ok;
      });
    });

  agents
    .command('deprecate')
    .description('Deprecate an agent version: runs pinned to it still run, and are told what replaces it.')
    .argument('<agent>', 'id@version')
    .option('-r, --replaced-by <agent>', 'the agent to use instead: id or id@version (must be registered)')
    .option('-d, --data-dir <dir>', DATA_DIR)
    .action((ref: string, options: { replacedBy?: string; dataDir?: string }) => {
      exactRef(ref);
      return withBaton(options.dataDir, async (baton) => {
        const agent = await baton.deprecateAgent(
          ref,
          options.replacedBy === undefined ? {} : { replacedBy: options.replacedBy },
        );
        const by = agent.replacedBy === undefined ? '' : `, replaced by ${agent.replacedBy}`;
        io.stdout(`deprecated ${agent.id}@${agent.version}${by}\n`);
        return ExitCode.ok;
      });
    });

  agents
    .command('status')
    .description('Set the status of an agent version; an offline version is never dispatched.')
    .argument('<agent>', 'id@version')
    .argument('<status>', STATUSES.join(' | '))
    .option('-d, --data-dir <dir>', DATA_DIR)
    .action((ref: string, status: string, options: { dataDir?: string }) => {
      exactRef(ref);
      const checked = statusOf(status);
      return withBaton(options.dataDir, async (baton) => {
        const agent = await baton.setAgentStatus(ref, checked);
        io.stdout(`${agent.id}@${agent.version} is now ${agent.status}\n`);
        return ExitCode.ok;
      });
    });
}

function statusOf(status: string): AgentStatus {
  const found = STATUSES.find((s) => s === status);
  if (found === undefined) throw new UsageError(`unknown status "${status}": use ${STATUSES.join(', ')}`);
  return found;
}

function splitRef(ref: string): { id: string; version?: string } {
  const at = ref.indexOf('@');
  return at < 0 ? { id: ref } : { id: ref.slice(0, at), version: ref.slice(at + 1) };
}

function exactRef(ref: string): void {
  if (splitRef(ref).version === undefined || ref.endsWith('@')) {
    throw new UsageError(
      `"${ref}" does not name one agent version: write id@version, e.g. "acme.writer@1.2.0"`,
    );
  }
}

function showVersion(io: CliIo, { definition: a, usage, performance, dependencies }: ShownVersion): string {
  const s = styles(io);
  const lines = [
    `${s.bold(`${a.id}@${a.version}`)}  ${statusColour(io, a.status)(a.status)}  ${a.name}`,
    ...(a.description === '' ? [] : [`  ${a.description}`]),
    `  kind ${a.kind} · domain ${a.capabilities.domain} · skills ${a.capabilities.skills.join(', ')}`,
  ];
  const { inputTypes, outputTypes } = a.capabilities;
  if (inputTypes.length + outputTypes.length > 0) {
    lines.push(`  takes ${inputTypes.join(', ') || '—'} · gives ${outputTypes.join(', ') || '—'}`);
  }
  const p = a.performance;
  lines.push(
    `  declared ${p.avgLatency} ms · ${p.successRate}% success · ${formatUsd(p.costPerExecution)} per execution`,
  );
  const m = performance.measured;
  if (m) {
    lines.push(
      `  measured over ${m.samples} executions: p50 ${Math.round(m.latencyP50)} ms · p95 ${Math.round(m.latencyP95)} ms · ${m.successRate.toFixed(1)}% success · ${formatUsd(m.costPerExecution)} per execution · ${Math.round(m.throughput)}/h${performance.judgedBy === 'measured' ? '' : ' (too few to select by)'}`,
    );
  }
  const { secrets, endpoints, tools, usedBy } = dependencies;
  if (secrets.length + endpoints.length + tools.length > 0) {
    const needs = [
      ...secrets.map((x) => `secret ${x}`),
      ...tools.map((x) => `tool ${x}`),
      ...endpoints.map((x) => `endpoint ${x}`),
    ];
    lines.push(`  needs ${needs.join(' · ')}`);
  }
  if (usedBy.length > 0) {
    const uses = usedBy.map((u) => `${u.workflowId}@${u.workflowVersion}#${u.nodeId} (${u.via})`);
    lines.push(`  called by ${uses.join(', ')}`);
  }
  if (a.status === 'deprecated' || a.deprecatedAt !== undefined || a.replacedBy !== undefined) {
    const since = a.deprecatedAt === undefined ? '' : ` since ${a.deprecatedAt}`;
    const by = a.replacedBy === undefined ? '' : `; use ${a.replacedBy} instead`;
    lines.push(`  ${s.yellow(`deprecated${since}${by}`)}`);
  }
  lines.push(
    usage.tasks === 0
      ? '  never used'
      : `  used by ${usage.tasks} task${usage.tasks === 1 ? '' : 's'} in ${usage.runs} run${usage.runs === 1 ? '' : 's'}, last ${new Date(usage.lastUsedAt).toISOString()}`,
  );
  return `${lines.join('\n')}\n`;
}
