import { NotFoundError } from '../errors/errors.js';
import type { EngineCommand, EngineInput } from '../execution/engine-input.js';
import type { RunRecord, TaskRecord } from '../execution/records.js';
import type { RunEvent } from '../execution/run-event.js';
import { buildWorkflowGraph, type WorkflowGraph } from '../model/workflow-graph.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { Store } from '../ports/store.js';
import { STEP_THROUGH_LABEL } from '../execution/step-through.js';

/** Labels that link a fork to its original run and the node it was forked at. */
export const FORKED_FROM_LABEL = 'baton.forked-from';
export const FORK_AT_LABEL = 'baton.fork-at';

/** How to fork a run. */
export interface ForkOptions {
  /** The node to run again, and everything downstream of it. */
  from: string;
  /** Laid over the original run's input. */
  input?: Record<string, unknown>;
  /** Hold every agent task until an operator's `step` (to inspect or edit the forked node's inputs first). */
  stepThrough?: boolean;
  priority?: number;
}

/**
 * The nodes a fork at `from` runs again: `from`, every node reachable from it, everything inside those that
 * are containers, and — when `from` sits in a loop body or a parallel branch — its container and what follows
 * that. Outputs of the other nodes are taken from the original run.
 */
export function downstreamOf(workflow: Workflow, from: string): Set<string> {
  const graph = buildWorkflowGraph(workflow);
  if (!graph.nodes.has(from)) throw new NotFoundError(`workflow ${workflow.id} has no node "${from}"`);
  const rerun = new Set<string>();
  const visit = (id: string): void => {
    if (rerun.has(id)) return;
    rerun.add(id);
    const at = graph.nodes.get(id);
    if (!at) return;
    for (const edge of graph.scopes.get(at.scope)?.successors.get(id) ?? []) visit(edge.edge.to);
    for (const inner of innerNodes(graph, id)) rerun.add(inner);
    const owner = graph.scopes.get(at.scope)?.owner;
    if (owner !== undefined) visit(owner);
  };
  visit(from);
  return rerun;
}

function innerNodes(graph: WorkflowGraph, containerId: string): string[] {
  const inner: string[] = [];
  for (const scope of graph.scopes.values()) {
    if (scope.owner !== containerId) continue;
    for (const id of scope.nodeIds) inner.push(id, ...innerNodes(graph, id));
  }
  return inner;
}

/**
 * What a forked run reuses from its original: the succeeded agent tasks and the decided approvals outside the
 * re-run part, by task key. Undefined for a run that is not a fork.
 */
export async function reusedTasks(
  store: Store,
  workflow: Workflow,
  run: RunRecord,
): Promise<Map<string, TaskRecord> | undefined> {
  const original = run.labels?.[FORKED_FROM_LABEL];
  const from = run.labels?.[FORK_AT_LABEL];
  if (original === undefined || from === undefined) return undefined;
  const loaded = await store.loadRun(original);
  if (!loaded) return new Map();
  const rerun = downstreamOf(workflow, from);
  const nodes = buildWorkflowGraph(workflow).nodes;
  const reused = new Map<string, TaskRecord>();
  for (const task of loaded.tasks) {
    const type = nodes.get(task.nodeId)?.node.type;
    if (task.status !== 'succeeded' || rerun.has(task.nodeId)) continue;
    if (type === 'agent' || type === 'approval') reused.set(task.key, task);
  }
  return reused;
}

/** The labels and input of a fork of `original` at `options.from`. */
export function forkStart(
  original: RunRecord,
  workflow: Workflow,
  options: ForkOptions,
): { input: Record<string, unknown>; labels: Record<string, string> } {
  downstreamOf(workflow, options.from);
  return {
    input: { ...original.input, ...options.input },
    labels: {
      ...Object.fromEntries(
        Object.entries(original.labels ?? {}).filter(([name]) => name !== STEP_THROUGH_LABEL),
      ),
      [FORKED_FROM_LABEL]: original.id,
      [FORK_AT_LABEL]: options.from,
    },
  };
}

export function isFork(run: RunRecord): boolean {
  return run.labels?.[FORKED_FROM_LABEL] !== undefined;
}

/** A fork's agent task upstream of the fork point: the original's output, with no agent call and no cost. */
export function reuseOutput(
  apply: (input: EngineInput) => void,
  command: Extract<EngineCommand, { type: 'dispatch' }>,
  original: TaskRecord,
): void {
  const { taskKey, attempt } = command;
  queueMicrotask(() => {
    apply({ type: 'agent.progress', taskKey, message: `reused the output of run ${original.runId}` });
    apply({ type: 'agent.succeeded', taskKey, attempt, output: original.output, costUsd: 0 });
  });
}

/** A fork's approvals upstream of the fork point take the decisions made in the original. */
export function reuseDecisions(
  apply: (input: EngineInput) => void,
  reuse: ReadonlyMap<string, TaskRecord>,
  events: readonly RunEvent[],
): void {
  for (const event of events) {
    if (event.type !== 'approval.requested') continue;
    const original = reuse.get(event.taskKey);
    const output = original?.output as { decision?: unknown; by?: unknown } | undefined;
    if (!original || typeof output?.decision !== 'string') continue;
    apply({
      type: 'approval.decide',
      taskKey: event.taskKey,
      decision: output.decision,
      by: typeof output.by === 'string' ? output.by : 'unknown',
      comment: `decided in run ${original.runId}`,
    });
  }
}
