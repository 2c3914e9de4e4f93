import {
  AgentError,
  isBatonError,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
  type Clock,
} from '@baton/core';
import { raceAbort, throwIfAborted } from '../abort.js';
import { simulatedAgent, type SimulatedAgent } from '../simulated/simulated-agent.js';
import { isSimulatedDefinition } from '../simulated/simulated-config.js';
import { systemClock } from '../system-clock.js';
import { builtinAgentContext, type BuiltinAgent } from './builtin-agent.js';
import { BUILTIN_AGENTS } from './builtin-agents.js';
import { InputFields } from './input-fields.js';

/** Options of `BuiltinAgentRuntime`. */
export interface BuiltinAgentRuntimeOptions {
  /** The source of time for simulated waits and for dates in outputs; the wall clock by default. */
  clock?: Clock;
  /** `false` makes simulated agents answer without waiting (dry runs, tests). Default `true`. */
  simulateLatency?: boolean;
  /** Implementations to serve instead of (same id and major) or besides the built-in ones. */
  agents?: readonly BuiltinAgent[];
}

/**
 * Runs the built-in agents in this process (kind `builtin`). It serves a definition when an implementation
 * with its id and major version exists, and any definition with `settings.simulated`, which then behaves
 * like a remote service (see `simulatedAgent`): latency, cost and failures, with its output from the
 * implementation when there is one, else from the output template.
 *
 * Contract: input that cannot be used rejects with a non-retryable `AgentError` naming the field; an abort
 * rejects at once with the signal's reason (see `abortError`); a bug in an implementation rejects with a
 * non-retryable `AgentError` (`details.internal: true`), since the same input would fail the same way.
 * The result's `costUsd` is the definition's `costPerExecution` (or the simulated `costUsd`).
 */
export class BuiltinAgentRuntime implements AgentRuntime {
  readonly kind = 'builtin';
  readonly #clock: Clock;
  readonly #simulateLatency: boolean;
  readonly #agents = new Map<string, BuiltinAgent>();
  readonly #simulated = new WeakMap<AgentDefinition, SimulatedAgent>();

  constructor(options: BuiltinAgentRuntimeOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#simulateLatency = options.simulateLatency ?? true;
    for (const agent of [...BUILTIN_AGENTS, ...(options.agents ?? [])])
      this.#agents.set(key(agent.id, agent.major), agent);
  }

  /** The implementation paired with a definition, if any. */
  implementation(agent: AgentDefinition): BuiltinAgent | undefined {
    return this.#agents.get(key(agent.id, majorOf(agent.version)));
  }

  supports(agent: AgentDefinition): boolean {
    return (
      isSimulatedDefinition(agent) || (agent.kind === 'builtin' && this.implementation(agent) !== undefined)
    );
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    throwIfAborted(invocation.signal);
    const { agent } = invocation;
    const implementation = this.implementation(agent);
    if (isSimulatedDefinition(agent)) {
      const simulated = this.#simulatedAgent(agent);
      const produce = implementation ? (inv: AgentInvocation) => this.#run(implementation, inv) : undefined;
      return raceAbort(simulated.invoke(invocation, produce), invocation.signal);
    }
    if (!implementation || agent.kind !== 'builtin') {
      throw new AgentError(
        `the builtin runtime has no implementation of ${agent.id}@${agent.version}; ` +
          `built-in agents are ${[...new Set([...this.#agents.values()].map((a) => a.id))].join(', ')}`,
        { retryable: false },
      );
    }
    const output = await raceAbort(this.#run(implementation, invocation), invocation.signal);
    return { output, costUsd: agent.performance.costPerExecution };
  }

  async #run(implementation: BuiltinAgent, invocation: AgentInvocation): Promise<unknown> {
    const ctx = builtinAgentContext(invocation, this.#clock);
    try {
      return await implementation.run(InputFields.of(invocation.input), ctx);
    } catch (error) {
      if (isBatonError(error)) throw error;
      throw new AgentError(`${implementation.id} failed on this input (internal error): ${String(error)}`, {
        retryable: false,
        cause: error,
        details: { internal: true },
      });
    }
  }

  #simulatedAgent(agent: AgentDefinition): SimulatedAgent {
    let simulated = this.#simulated.get(agent);
    if (!simulated) {
      simulated = simulatedAgent(agent, { clock: this.#clock, simulateLatency: this.#simulateLatency });
      this.#simulated.set(agent, simulated);
    }
    return simulated;
  }
}

function key(id: string, major: number): string {
  return `${id}@${major}`;
}

function majorOf(version: string): number {
  return Number.parseInt(version.split('.')[0] ?? '', 10);
}
