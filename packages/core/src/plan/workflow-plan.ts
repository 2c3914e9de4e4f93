import type { NodeType } from '../model/node-schema.js';
import type { PlanMode } from './plan-options.js';

/**
 * One top-level node of a workflow, with its estimates and its place in the schedule. Times are milliseconds
 * from the start of the run with unlimited parallelism; in expected mode, durations and costs are the node's
 * estimates weighted by `runProbability`.
 */
export interface PlannedTask {
  id: string;
  type: NodeType;
  /** The pinned agent of an agent node; absent for capability queries and other node types. */
  agentId?: string;
  /** Ids of the tasks with an edge (on any port) into this one, each once, in edge order. */
  dependencies: string[];
  estimatedDuration: number;
  estimatedCost: number;
  /** Rank by longest remaining path: higher runs first; a task never ranks below one that depends on it. */
  priority: number;
  earliestStart: number;
  /** The latest start that does not delay the run. */
  latestStart: number;
  /** `latestStart - earliestStart`. */
  slack: number;
  /** True when the task has no slack: delaying it delays the run. */
  onCriticalPath: boolean;
  /** Longest chain of edges from a task without dependencies: 0 for those. */
  level: number;
  /** The scope the task belongs to: `""`, the top level, for every task of a plan. */
  scope: string;
  /** The probability that the task runs: 1 in worst mode. */
  runProbability: number;
}

/** How the tasks of a plan can run. */
export interface ExecutionStrategy {
  /** Tasks grouped by level, lowest first: no group holds a task together with one it depends on. */
  parallelizableTasks: string[][];
  /** One longest chain of dependent tasks, first to last; among equal ones the earliest in the document. */
  criticalPath: string[];
  /** The makespan with unlimited parallelism: the duration of the critical path. */
  totalEstimatedTime: number;
  /** The sum of every task's duration: the time one task at a time would take. */
  sequentialTime: number;
  /** `sequentialTime / totalEstimatedTime`; 1 when both are 0. */
  speedup: number;
}

/** The plan of a workflow (spec FR-019.3, "Workflow Planning"). See `docs/planning.md`. */
export interface WorkflowPlan {
  /** The top-level tasks in topological order; ties keep document order. */
  tasks: PlannedTask[];
  executionStrategy: ExecutionStrategy;
  /** USD: the costliest way through the workflow (worst), or the probability-weighted cost (expected). */
  estimatedCost: number;
  mode: PlanMode;
}
