import type { Command } from 'commander';
import { planWorkflow, type PlanOptions, type Workflow, type WorkflowPlan } from '@baton/core';
import { declaredPerformance, loadAgentCatalog } from '../agent-catalog-loader.js';
import { formatDuration, formatUsd } from '../format.js';
import { ExitCode, styles, UsageError, type CliIo } from '../io.js';
import { readJsonFile } from '../load-document.js';
import { countProblems, printProblems } from '../problems-report.js';
import { checkWorkflowDocument } from '../workflow-loader.js';
import { collect } from './validate.js';

interface PlanCommandOptions {
  agents: string[];
  builtinAgents: boolean;
  mode: string;
  probabilities?: string;
  json: boolean;
}

/** `baton plan <file>`: parallel groups, critical path, estimated time and cost. */
export function registerPlan(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('plan')
    .description('Show how a workflow will run: parallel groups, critical path, estimated time and cost.')
    .argument('<file>', 'workflow JSON file (graph or nested form)')
    .option(
      '-a, --agents <path>',
      'agent definitions (file or directory) for latency and cost figures',
      collect,
      [],
    )
    .option('--no-builtin-agents', 'do not load the built-in agent catalog')
    .option(
      '-m, --mode <mode>',
      'worst: every branch may run; expected: weigh branches by probability',
      'worst',
    )
    .option('-p, --probabilities <file>', 'JSON { nodeId: { port: probability } } for --mode expected')
    .option('--json', 'print the plan as JSON', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 planned, 1 the workflow is invalid, 2 usage error.\nExample:\n  baton plan templates/rfp-response.json',
    )
    .action(async (file: string, options: PlanCommandOptions) => {
      if (options.mode !== 'worst' && options.mode !== 'expected') {
        throw new UsageError(`--mode must be "worst" or "expected", not "${options.mode}"`);
      }
      const loaded = await loadAgentCatalog(io, options.agents, options.builtinAgents);
      if (!loaded.ok) {
        for (const { file: agentFile, problems } of loaded.problems) {
          io.stderr(`${agentFile}: invalid agent definition (${countProblems(problems)})\n`);
          printProblems(io, problems, io.stderr);
        }
        setExit(ExitCode.invalid);
        return;
      }
      const check = checkWorkflowDocument(await readJsonFile(file, io.cwd), loaded.catalog);
      if (!check.ok || !check.workflow) {
        io.stderr(`${file}: cannot plan an invalid workflow (${countProblems(check.problems)})\n`);
        printProblems(io, check.problems, io.stderr);
        setExit(ExitCode.invalid);
        return;
      }
      const planOptions: PlanOptions = {
        mode: options.mode,
        agentLookup: declaredPerformance(loaded.catalog),
        ...(options.probabilities
          ? { branchProbabilities: await readProbabilities(options.probabilities, io.cwd) }
          : {}),
      };
      const plan = planWorkflow(check.workflow, planOptions);
      if (options.json) io.stdout(`${JSON.stringify(plan, null, 2)}\n`);
      else printPlan(io, check.workflow, plan);
      setExit(ExitCode.ok);
    });
}

async function readProbabilities(path: string, cwd: string): Promise<Record<string, Record<string, number>>> {
  const document = await readJsonFile(path, cwd);
  const ok =
    typeof document === 'object' &&
    document !== null &&
    Object.values(document as Record<string, unknown>).every(
      (ports) =>
        typeof ports === 'object' &&
        ports !== null &&
        Object.values(ports as Record<string, unknown>).every(
          (p) => typeof p === 'number' && p >= 0 && p <= 1,
        ),
    );
  if (!ok) throw new UsageError(`${path}: expected { "nodeId": { "port": probability 0..1 } }`);
  return document as Record<string, Record<string, number>>;
}

function printPlan(io: CliIo, workflow: Workflow, plan: WorkflowPlan): void {
  const s = styles(io);
  const out = io.stdout;
  const strategy = plan.executionStrategy;
  out(`${s.bold(workflow.name)} ${s.dim(`${workflow.id}@${workflow.version}`)} — ${plan.mode}-case plan\n\n`);
  out(`${s.bold('Parallel groups')} ${s.dim('(tasks in a group have no dependency on each other)')}\n`);
  strategy.parallelizableTasks.forEach((group, i) => {
    out(`  ${String(i + 1).padStart(2)}  ${group.join(s.dim(' · '))}\n`);
  });
  out(`\n${s.bold('Critical path')}  ${strategy.criticalPath.map((id) => s.cyan(id)).join(s.dim(' → '))}\n`);
  out(`${s.bold('Estimated time')} ${formatDuration(strategy.totalEstimatedTime)}`);
  out(
    s.dim(
      ` (one after another: ${formatDuration(strategy.sequentialTime)}, ${strategy.speedup.toFixed(2)}× faster)\n`,
    ),
  );
  out(`${s.bold('Estimated cost')} ${formatUsd(plan.estimatedCost)}\n\n`);
  const rows = plan.tasks.map((t) => [
    t.id,
    t.type,
    t.agentId ?? '',
    formatDuration(t.estimatedDuration),
    formatUsd(t.estimatedCost),
    String(t.priority),
    formatDuration(t.slack),
  ]);
  const header = ['task', 'type', 'agent', 'duration', 'cost', 'priority', 'slack'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out(`  ${s.bold(line(header))}\n`);
  plan.tasks.forEach((task, i) => {
    const text = line(rows[i] ?? []);
    out(`  ${task.onCriticalPath ? s.cyan(text) : text}\n`);
  });
}
