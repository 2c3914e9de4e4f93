import type { Command } from 'commander';
import { validateAgentDefinition, type AgentCatalog, type Problem } from '@baton/core';
import { checkWorkflowDocument } from '../workflow-loader.js';
import { loadAgentCatalog } from '../agent-catalog-loader.js';
import { ExitCode, styles, type CliIo } from '../io.js';
import { readJsonFile } from '../load-document.js';
import { countProblems, printProblems } from '../problems-report.js';

interface ValidateOptions {
  agents: string[];
  builtinAgents: boolean;
  json: boolean;
}

interface FileReport {
  file: string;
  kind: 'workflow' | 'agent';
  ok: boolean;
  /** Set when the workflow was written in the spec's nested form and converted. */
  convertedFromNestedForm?: boolean;
  summary?: string;
  problems: Problem[];
}

/** `baton validate <file...>`: checks workflows (graph or nested form) and agent definitions. */
export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Check workflow and agent definition files; list every problem with its path.')
    .argument('<files...>', 'workflow or agent definition JSON files')
    .option(
      '-a, --agents <path>',
      'agent definitions (file or directory) to check references against',
      collect,
      [],
    )
    .option('--no-builtin-agents', 'do not load the built-in agent catalog')
    .option('--json', 'print a machine-readable report', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 all valid (warnings allowed), 1 a file has errors, 2 usage error.\n' +
        'Example:\n  baton validate templates/*.json\n  baton validate my-flow.json --agents ./agents',
    )
    .action(async (files: string[], options: ValidateOptions) => {
      const catalog = await loadAgentCatalog(io, options.agents, options.builtinAgents);
      if (!catalog.ok) {
        for (const { file, problems } of catalog.problems) {
          io.stderr(`${file}: invalid agent definition (${countProblems(problems)})\n`);
          printProblems(io, problems, io.stderr);
        }
        setExit(ExitCode.invalid);
        return;
      }
      const reports: FileReport[] = [];
      for (const file of files) {
        reports.push(validateDocument(file, await readJsonFile(file, io.cwd), catalog.catalog));
      }
      if (options.json)
        io.stdout(`${JSON.stringify({ ok: reports.every((r) => r.ok), files: reports }, null, 2)}\n`);
      else for (const report of reports) printReport(io, report);
      setExit(reports.every((r) => r.ok) ? ExitCode.ok : ExitCode.invalid);
    });
}

function validateDocument(file: string, document: unknown, agents: AgentCatalog): FileReport {
  if (isAgentDocument(document)) {
    const result = validateAgentDefinition(document);
    return {
      file,
      kind: 'agent',
      ok: result.ok,
      ...(result.agent ? { summary: `agent ${result.agent.id}@${result.agent.version}` } : {}),
      problems: result.problems,
    };
  }
  const result = checkWorkflowDocument(document, agents);
  const wf = result.workflow;
  return {
    file,
    kind: 'workflow',
    ok: result.ok,
    ...(result.convertedFromNestedForm ? { convertedFromNestedForm: true } : {}),
    ...(wf
      ? {
          summary: `workflow ${wf.id}@${wf.version}: ${wf.nodes.length} top-level nodes, ${wf.edges.length} edges`,
        }
      : {}),
    problems: result.problems,
  };
}

function isAgentDocument(document: unknown): boolean {
  return (
    typeof document === 'object' && document !== null && 'capabilities' in document && !('nodes' in document)
  );
}

function printReport(io: CliIo, report: FileReport): void {
  const s = styles(io);
  const mark = report.ok ? s.green('✓') : s.red('✗');
  const counts = report.problems.length > 0 ? ` (${countProblems(report.problems)})` : '';
  const nested = report.convertedFromNestedForm ? s.dim(' [converted from the nested form]') : '';
  const summary = report.summary ? ` ${s.dim(report.summary)}` : '';
  io.stdout(`${mark} ${report.file}${summary}${counts}${nested}\n`);
  printProblems(io, report.problems, io.stdout);
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
