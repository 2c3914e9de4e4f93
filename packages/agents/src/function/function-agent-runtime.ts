import {
  AgentError,
  NotFoundError,
  isBatonError,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
} from '@baton/core';
import { raceAbort, throwIfAborted } from '../abort.js';

/**
 * A TypeScript function used as an agent: it gets the resolved input and the whole invocation, and returns
 * the output or a promise of it.
 */
export type AgentFunction = (input: Readonly<Record<string, unknown>>, ctx: AgentInvocation) => unknown;

/**
 * Runs agents that a program registers as plain TypeScript functions (the embedded SDK's `registerAgent`
 * with a handler): kind `function`. It serves exactly the id@version pairs registered, whatever kind the
 * definition declares, so a registered handler wins over the definition's own runtime.
 *
 * Contract: the function's return value is the output and the definition's `costPerExecution` the cost. A
 * `BatonError` it throws passes through unchanged; anything else becomes a retryable `AgentError` with the
 * thrown value as `cause`. An abort rejects at once with the signal's reason; the function should watch
 * `ctx.signal` to stop its own work.
 */
export class FunctionAgentRuntime implements AgentRuntime {
  readonly kind = 'function';
  readonly #functions = new Map<string, AgentFunction>();

  /** Registers (or replaces) the function of one agent version. */
  register(agentId: string, version: string, fn: AgentFunction): void {
    this.#functions.set(key(agentId, version), fn);
  }

  /** Removes a registration; returns whether there was one. */
  unregister(agentId: string, version: string): boolean {
    return this.#functions.delete(key(agentId, version));
  }

  supports(agent: AgentDefinition): boolean {
    return this.#functions.has(key(agent.id, agent.version));
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    throwIfAborted(invocation.signal);
    const { agent } = invocation;
    const fn = this.#functions.get(key(agent.id, agent.version));
    if (!fn) {
      throw new NotFoundError(
        `no function is registered for agent ${agent.id}@${agent.version}; register one first`,
      );
    }
    const run = async (): Promise<unknown> => {
      try {
        return await fn(invocation.input, invocation);
      } catch (error) {
        if (isBatonError(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new AgentError(`agent ${agent.id}@${agent.version} threw: ${reason}`, {
          retryable: true,
          cause: error,
        });
      }
    };
    const output = await raceAbort(run(), invocation.signal);
    return { output, costUsd: agent.performance.costPerExecution };
  }
}

function key(agentId: string, version: string): string {
  return `${agentId}@${version}`;
}
