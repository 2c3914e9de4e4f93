import type { Workflow } from '../model/workflow-schema.js';
import { criticalChain, priorityRanks } from './dag-schedule.js';
import type { PlanOptions } from './plan-options.js';
import { analyzeWorkflow } from './scope-analysis.js';
import type { PlannedTask, WorkflowPlan } from './workflow-plan.js';

/**
 * Plans a workflow (spec FR-019.3, "Workflow Planning"): its top-level nodes as tasks with dependencies,
 * estimated durations and costs, earliest and latest starts, slack and priorities; the groups of tasks that
 * can run at once; the critical path; and the estimated time and cost of a run. A loop or parallel node is one
 * task estimated from its sub-graphs.
 *
 * In worst mode every branch counts towards time (the critical path runs through the longest) and only the
 * costliest of branches that exclude each other counts towards cost. In expected mode each node's duration
 * and cost are weighted by the probability that it runs, from `branchProbabilities`; the expected time is then
 * the longest path over those weighted durations, an approximation of the expected longest path.
 *
 * O(V + E) over all scopes, plus a sort for the priorities. Throws a `DefinitionError` with a `CYCLE` problem
 * when a scope has a cycle, and a `USAGE` error on bad options. See `docs/planning.md`.
 */
export function planWorkflow(
  workflow: Pick<Workflow, 'nodes' | 'edges'>,
  options?: PlanOptions,
): WorkflowPlan {
  const analysis = analyzeWorkflow(workflow, options);
  const { dag, schedule, duration, cost, probability, totalCost } = analysis.top;
  const { order, nodes, predStart, pred } = dag;
  const { earliestStart, remaining, level, makespan } = schedule;
  const n = order.length;
  const priority = priorityRanks(remaining);
  // Sums taken in a different order can differ in the last bits; slack that small is no slack.
  const tolerance = 1e-9 * Math.max(1, makespan);

  const tasks: PlannedTask[] = [];
  const groups: string[][] = [];
  const seenBy = new Int32Array(n);
  let sequentialTime = 0;
  for (let k = 0; k < n; k++) {
    const v = order[k]!;
    const node = nodes[v]!;
    const dependencies: string[] = [];
    for (let e = predStart[v]!, end = predStart[v + 1]!; e < end; e++) {
      const u = pred[e]!;
      if (seenBy[u] === v + 1) continue;
      seenBy[u] = v + 1;
      dependencies.push(nodes[u]!.id);
    }
    const latestStart = makespan - remaining[v]!;
    let slack = latestStart - earliestStart[v]!;
    if (Math.abs(slack) <= tolerance) slack = 0;
    const task: PlannedTask = {
      id: node.id,
      type: node.type,
      dependencies,
      estimatedDuration: duration[v]!,
      estimatedCost: cost[v]!,
      priority: priority[v]!,
      earliestStart: earliestStart[v]!,
      latestStart,
      slack,
      onCriticalPath: slack === 0,
      level: level[v]!,
      scope: dag.id,
      runProbability: probability[v]!,
    };
    if (node.type === 'agent' && node.agent) task.agentId = node.agent.id;
    tasks.push(task);
    sequentialTime += duration[v]!;
    (groups[level[v]!] ??= []).push(node.id);
  }

  return {
    tasks,
    executionStrategy: {
      parallelizableTasks: groups,
      criticalPath: criticalChain(dag, schedule).map((i) => nodes[i]!.id),
      totalEstimatedTime: makespan,
      sequentialTime,
      speedup: makespan > 0 ? sequentialTime / makespan : 1,
    },
    estimatedCost: totalCost,
    mode: analysis.options.mode,
  };
}
