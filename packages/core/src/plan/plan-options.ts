import { BatonError } from '../errors/baton-error.js';
import type { AgentNode } from '../model/node-schema.js';

/** How branches that exclude each other are counted: all of them at their worst, or weighted by probability. */
export type PlanMode = 'worst' | 'expected';

/** The declared performance of an agent, as far as the planner needs it. */
export interface AgentPerformance {
  /** Milliseconds one execution takes on average. */
  avgLatencyMs: number;
  /** USD one execution costs. */
  costPerExecution: number;
}

/**
 * Finds the declared performance of the agent an agent node calls (its pinned `agent` ref, or the agent its
 * capability query would pick); undefined when unknown, and the defaults apply.
 */
export type AgentLookup = (node: AgentNode) => AgentPerformance | undefined;

/** Estimates used where nothing better is known. Every duration is in milliseconds, every cost in USD. */
export interface PlanDefaults {
  /** An agent node whose agent is unknown, and a subworkflow node. */
  agentMs: number;
  /** The cost of an agent node whose agent is unknown, and of a subworkflow node. */
  agentCost: number;
  /** A transform, conditional or emit node: work done by the engine itself. */
  transformMs: number;
  /** An approval: a person decides. Capped by the node's `deadlineMs`. */
  approvalMs: number;
  /** A wait for an event or a moment. Capped by the event's `timeoutMs`; a `durationMs` wait takes exactly that. */
  waitMs: number;
  /** Iterations of a loop whose count is not written literally in the document. */
  loopIterations: number;
}

/**
 * The defaults of the planner. An unknown agent takes a second and costs nothing known; an approval takes an
 * hour because a person decides, so approvals dominate critical paths, which is what a run will see.
 */
export const PLAN_DEFAULTS: Readonly<PlanDefaults> = Object.freeze({
  agentMs: 1000,
  agentCost: 0,
  transformMs: 1,
  approvalMs: 3_600_000,
  waitMs: 60_000,
  loopIterations: 3,
});

/** Branch probabilities by node id, then by port: `{ check: { true: 0.8 } }`. */
export type BranchProbabilities = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** How `planWorkflow` and `criticalPathRanks` estimate a workflow. */
export interface PlanOptions {
  /** Looks up the agent of an agent node (pinned `agent` ref); returns its declared performance. Absent or unresolved → defaults. */
  agentLookup?: AgentLookup;
  /** `worst` (the default) counts every branch; `expected` weights nodes by the probability that they run. */
  mode?: PlanMode;
  /**
   * Branch probabilities for conditional nodes: nodeId → port → probability (0..1). Used in 'expected' mode;
   * unspecified ports share the rest equally. Approval nodes take their options as ports; any node may give
   * its `error` port a probability (0 when not given).
   */
  branchProbabilities?: BranchProbabilities;
  /** Overrides of `PLAN_DEFAULTS`. */
  defaults?: Partial<PlanDefaults>;
}

/** Plan options with every default filled in and every value checked. */
export interface ResolvedPlanOptions {
  readonly mode: PlanMode;
  readonly defaults: Readonly<PlanDefaults>;
  readonly agentLookup: AgentLookup | undefined;
  readonly branchProbabilities: BranchProbabilities;
}

/** Fills in defaults and checks the options; throws a `USAGE` error naming the bad value. */
export function resolvePlanOptions(options: PlanOptions = {}): ResolvedPlanOptions {
  const mode = options.mode ?? 'worst';
  if (mode !== 'worst' && mode !== 'expected') {
    throw new BatonError('USAGE', `mode must be "worst" or "expected", got ${JSON.stringify(mode)}`);
  }
  const defaults: PlanDefaults = { ...PLAN_DEFAULTS };
  for (const key of Object.keys(PLAN_DEFAULTS) as (keyof PlanDefaults)[]) {
    const value = options.defaults?.[key];
    if (value === undefined) continue;
    const whole = key === 'loopIterations';
    if (!isNonNegative(value) || (whole && !Number.isInteger(value))) {
      throw new BatonError(
        'USAGE',
        `defaults.${key} must be a ${whole ? 'whole number' : 'finite number'} ≥ 0, got ${String(value)}`,
      );
    }
    defaults[key] = value;
  }
  return {
    mode,
    defaults,
    agentLookup: options.agentLookup,
    branchProbabilities: options.branchProbabilities ?? {},
  };
}

/** True for a finite number that is zero or more. */
export function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
