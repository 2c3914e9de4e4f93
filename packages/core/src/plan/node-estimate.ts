import { BatonError } from '../errors/baton-error.js';
import type { LoopNode, WorkflowNode } from '../model/node-schema.js';
import { isNonNegative, type PlanDefaults, type ResolvedPlanOptions } from './plan-options.js';

/** What one run of a node is expected to take, in milliseconds, and to cost, in USD. */
export interface NodeEstimate {
  durationMs: number;
  cost: number;
}

/** A node that owns no sub-graph. */
export type LeafNode = Exclude<WorkflowNode, { type: 'loop' | 'parallel' }>;

/**
 * Estimates a node without a sub-graph. An agent node takes its agent's declared latency and cost, through
 * `agentLookup`, else the defaults; a subworkflow the agent defaults; transform, conditional and emit nodes the
 * engine's own time; an approval the approval default, never more than its deadline; a wait its duration, else
 * the wait default, never more than its event's timeout. Retries are not counted: a plan is the path where
 * steps succeed.
 */
export function leafEstimate(node: LeafNode, options: ResolvedPlanOptions): NodeEstimate {
  const { defaults } = options;
  switch (node.type) {
    case 'agent': {
      const declared = options.agentLookup?.(node);
      if (declared === undefined) return { durationMs: defaults.agentMs, cost: defaults.agentCost };
      if (!isNonNegative(declared.avgLatencyMs) || !isNonNegative(declared.costPerExecution)) {
        throw new BatonError(
          'USAGE',
          `agentLookup for node "${node.id}" returned avgLatencyMs ${String(declared.avgLatencyMs)} and costPerExecution ${String(declared.costPerExecution)}; both must be finite numbers ≥ 0`,
        );
      }
      return { durationMs: declared.avgLatencyMs, cost: declared.costPerExecution };
    }
    case 'subworkflow':
      return { durationMs: defaults.agentMs, cost: defaults.agentCost };
    case 'conditional':
    case 'transform':
    case 'emit':
      return { durationMs: defaults.transformMs, cost: 0 };
    case 'approval':
      return { durationMs: Math.min(defaults.approvalMs, node.deadlineMs ?? Infinity), cost: 0 };
    case 'wait':
      return {
        durationMs: node.durationMs ?? Math.min(defaults.waitMs, node.event?.timeoutMs ?? Infinity),
        cost: 0,
      };
  }
}

/**
 * How many times a loop's body runs: the length of `forEach` when it is a JSON array literal such as
 * `[1, 2, 3]`, else `defaults.loopIterations`, in both modes; never more than `maxIterations`. A `while` loop
 * runs `defaults.loopIterations` times, as its condition is only known at run time.
 */
export function loopIterations(node: LoopNode, defaults: Readonly<PlanDefaults>): number {
  const literal = node.forEach === undefined ? undefined : literalLength(node.forEach);
  return Math.min(node.maxIterations, literal ?? defaults.loopIterations);
}

/**
 * How many times in a row a loop's body runs: a for-each loop runs `concurrency` iterations at once, a while
 * loop one at a time.
 */
export function loopRounds(node: LoopNode, iterations: number): number {
  return node.forEach === undefined ? iterations : Math.ceil(iterations / node.concurrency);
}

function literalLength(expression: string): number | undefined {
  const source = expression.trim();
  if (!source.startsWith('[') || !source.endsWith(']')) return undefined;
  try {
    const value: unknown = JSON.parse(source);
    return Array.isArray(value) ? value.length : undefined;
  } catch {
    return undefined;
  }
}
