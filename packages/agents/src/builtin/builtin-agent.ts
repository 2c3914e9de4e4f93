import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AgentDefinition, AgentInvocation, Clock } from '@baton/core';
import { throwIfAborted } from '../abort.js';
import type { InputFields } from './input-fields.js';

/** What a built-in agent may use besides its input. */
export interface BuiltinAgentContext {
  readonly agent: AgentDefinition;
  readonly idempotencyKey: string;
  readonly signal: AbortSignal;
  /** The current time, from the runtime's clock. */
  now(): Date;
  /**
   * Call between steps of the work: throws the abort error once the signal fired, and now and then yields
   * to the event loop so a long loop neither blocks other work nor misses an abort.
   */
  step(): Promise<void>;
  /** Reports progress shown live. */
  progress(message: string, data?: unknown): void;
}

/**
 * The implementation of one built-in agent. It is paired with the definition of the same `id` whose major
 * version is `major`: the definition (in the catalog) describes the agent, the implementation does the work.
 */
export interface BuiltinAgent {
  readonly id: string;
  readonly major: number;
  /** Reads the input through `InputFields`, so a bad field fails with a message naming it. */
  run(input: InputFields, ctx: BuiltinAgentContext): Promise<unknown>;
}

/** Declares a built-in agent implementation for major version 1 of `id`. */
export function builtinAgent(id: string, run: BuiltinAgent['run']): BuiltinAgent {
  return { id, major: 1, run };
}

/** How long synchronous work may run before `step()` yields to the event loop. */
const YIELD_AFTER_MS = 8;

/** The context of one invocation of a built-in agent. */
export function builtinAgentContext(invocation: AgentInvocation, clock: Clock): BuiltinAgentContext {
  let lastYield = performance.now();
  return {
    agent: invocation.agent,
    idempotencyKey: invocation.idempotencyKey,
    signal: invocation.signal,
    now: () => new Date(clock.now()),
    async step() {
      throwIfAborted(invocation.signal);
      if (performance.now() - lastYield < YIELD_AFTER_MS) return;
      await nextTurn();
      lastYield = performance.now();
      throwIfAborted(invocation.signal);
    },
    progress: (message, data) => invocation.progress(message, data),
  };
}
