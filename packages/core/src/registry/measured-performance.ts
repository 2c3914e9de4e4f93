import type { AgentDefinition } from '../model/agent-schema.js';
import type { EngineInput } from '../execution/engine-input.js';
import type { AgentExecution, AgentStore } from '../ports/agent-store.js';

/** What real executions of an agent version show, kept apart from what its definition declares. */
export interface MeasuredPerformance {
  /** Executions measured (the window's latest, at most `WINDOW`). */
  samples: number;
  latencyP50: number;
  latencyP95: number;
  /** Mean latency (ms), comparable with the declared `avgLatency`. */
  avgLatency: number;
  /** Percent of executions that succeeded (cancelled ones do not count either way). */
  successRate: number;
  /** Executions finished per hour over the span the samples cover. */
  throughput: number;
  /** Mean cost (USD) of a successful execution. */
  costPerExecution: number;
  /**
   * Percent of executions that did not fail for reasons of the agent's own (timeouts, unavailability, errors
   * it raised): failures of the input (`INVALID_INPUT`) do not lower it.
   */
  reliability: number;
}

/** How many executions per agent version the registry keeps measuring over. */
export const WINDOW = 1_000;
/** Below this many samples, selection goes by the declared figures. */
export const MIN_SAMPLES = 20;

const INPUT_FAULTS: ReadonlySet<string> = new Set(['INVALID_INPUT', 'DEFINITION_INVALID']);

/** The measured performance of an agent version from its executions (any order); undefined without any. */
export function measure(executions: readonly AgentExecution[]): MeasuredPerformance | undefined {
  const settled = executions.filter((e) => e.status !== 'cancelled');
  if (settled.length === 0) return undefined;
  const latencies = settled.map((e) => Math.max(0, e.endedAt - e.startedAt)).sort((a, b) => a - b);
  const succeeded = settled.filter((e) => e.status === 'succeeded');
  const ownFailures = settled.filter(
    (e) => e.status === 'failed' && !(e.errorCode !== undefined && INPUT_FAULTS.has(e.errorCode)),
  );
  const first = Math.min(...settled.map((e) => e.startedAt));
  const last = Math.max(...settled.map((e) => e.endedAt));
  const hours = Math.max(last - first, 1_000) / 3_600_000;
  return {
    samples: settled.length,
    latencyP50: percentile(latencies, 0.5),
    latencyP95: percentile(latencies, 0.95),
    avgLatency: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    successRate: (100 * succeeded.length) / settled.length,
    throughput: settled.length / hours,
    costPerExecution:
      succeeded.length === 0 ? 0 : succeeded.reduce((sum, e) => sum + e.costUsd, 0) / succeeded.length,
    reliability: 100 * (1 - ownFailures.length / settled.length),
  };
}

/** The figures selection goes by: measured once there are `MIN_SAMPLES` executions, declared until then. */
export function effectivePerformance(
  agent: AgentDefinition,
  measured: MeasuredPerformance | undefined,
): AgentDefinition['performance'] {
  if (!measured || measured.samples < MIN_SAMPLES) return agent.performance;
  return {
    avgLatency: measured.avgLatency,
    successRate: measured.successRate,
    throughput: measured.throughput,
    // A version that never succeeded has no measured cost: the declared one stands.
    costPerExecution:
      measured.successRate > 0 ? measured.costPerExecution : agent.performance.costPerExecution,
    reliability: measured.reliability,
  };
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/** New samples after which a cached measurement is worked out again (selection needs trends, not each call). */
const REMEASURE_EVERY = 25;

interface Window {
  /** Oldest first; trimmed to the latest `WINDOW` in batches so recording stays O(1). */
  executions: AgentExecution[];
  measured: MeasuredPerformance | undefined;
  /** Samples recorded since `measured` was worked out; `Infinity` when it never was. */
  since: number;
}

/**
 * Executions measured as they finish in this process, per agent version, seeded from the store at start: the
 * last `WINDOW` of each. The engine records every attempt it runs; selection reads `performance`.
 */
export class AgentMetrics {
  readonly #windows = new Map<string, Window>();

  /** Seeds the windows of these agent versions from the executions a store holds (when it keeps them). */
  async seedFrom(store: object, agents: readonly AgentDefinition[]): Promise<void> {
    const executions = (store as Partial<AgentStore>).agentExecutions;
    if (typeof executions !== 'function') return;
    for (const agent of agents) {
      const ref = `${agent.id}@${agent.version}`;
      this.seed(ref, await executions.call(store, ref, WINDOW));
    }
  }

  /** Seeds an agent version's window (any order). */
  seed(agent: string, executions: readonly AgentExecution[]): void {
    const sorted = [...executions].sort((a, b) => a.endedAt - b.endedAt).slice(-WINDOW);
    this.#windows.set(agent, { executions: sorted, measured: undefined, since: Number.POSITIVE_INFINITY });
  }

  record(agent: string, execution: AgentExecution): void {
    let window = this.#windows.get(agent);
    if (!window) {
      window = { executions: [], measured: undefined, since: Number.POSITIVE_INFINITY };
      this.#windows.set(agent, window);
    }
    const list = window.executions;
    list.push(execution);
    if (list.length >= 2 * WINDOW) list.splice(0, list.length - WINDOW);
    window.since++;
  }

  /** The measured performance of an agent version (`id@version`) over its latest `WINDOW` executions. */
  performance(agent: string): MeasuredPerformance | undefined {
    const window = this.#windows.get(agent);
    if (!window) return undefined;
    if (window.since >= REMEASURE_EVERY || (window.measured === undefined && window.since > 0)) {
      window.measured = measure(window.executions.slice(-WINDOW));
      window.since = 0;
    }
    return window.measured;
  }
}

/** A finished attempt as the engine sees it. */
export type AgentOutcome = Extract<EngineInput, { type: 'agent.succeeded' | 'agent.failed' }>;

/**
 * An attempt's outcome as an execution to measure; a cancelled attempt says nothing of the agent. An attempt
 * that stopped to ask a person is none: the attempt that carries on with the answer is (as the stored rows
 * have it, where the asking attempt never settles).
 */
export function executionOf(
  runId: string,
  taskKey: string,
  startedAt: number,
  endedAt: number,
  outcome: AgentOutcome,
): AgentExecution | undefined {
  if (outcome.type === 'agent.failed' && outcome.error.code === 'INPUT_REQUIRED') return undefined;
  if (outcome.type === 'agent.succeeded')
    return { runId, taskKey, status: 'succeeded', startedAt, endedAt, costUsd: outcome.costUsd };
  const status = outcome.error.code === 'CANCELLED' ? 'cancelled' : 'failed';
  return { runId, taskKey, status, startedAt, endedAt, costUsd: 0, errorCode: outcome.error.code };
}
