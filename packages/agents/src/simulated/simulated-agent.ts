import {
  AgentError,
  resolveTemplates,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type Clock,
} from '@baton/core';
import { abortableDelay, throwIfAborted } from '../abort.js';
import { systemClock } from '../system-clock.js';
import { sampleLatency } from './latency-distribution.js';
import { readSimulatedConfig, type SimulatedAgentConfig } from './simulated-config.js';
import { seededRandom } from './seeded-random.js';

/** Options of `simulatedAgent`. */
export interface SimulatedAgentOptions {
  /** Where the waits happen; the wall clock by default, a manual one in tests. */
  clock?: Clock;
  /** `false` skips the waits (dry runs, fast tests); the drawn latencies and failures stay the same. */
  simulateLatency?: boolean;
}

/** What one attempt of a simulated agent does. */
export interface SimulatedAttempt {
  readonly latencyMs: number;
  readonly fails: boolean;
}

/** Computes the output of an attempt, e.g. the built-in implementation of a simulated external system. */
export type OutputProducer = (invocation: AgentInvocation) => Promise<unknown>;

/** An agent that behaves like a remote service: it takes time, costs money and sometimes fails. */
export interface SimulatedAgent {
  readonly agent: AgentDefinition;
  readonly config: SimulatedAgentConfig;
  /**
   * What the attempt with this idempotency key does. Derived from a hash of the configured seed and the key,
   * so a recovered attempt (same key) behaves exactly like the original and a retry (next attempt number,
   * new key) draws afresh.
   */
  plan(idempotencyKey: string): SimulatedAttempt;
  /**
   * Runs one attempt: computes the output (the output template, else `produce`, else `{ simulated: true }`)
   * so bad input fails at once, waits the drawn latency, then fails with a retryable `AgentError` if the
   * draw says so. Rejects with the abort error as soon as the signal fires.
   */
  invoke(invocation: AgentInvocation, produce?: OutputProducer): Promise<AgentResult>;
}

/**
 * Makes a simulated agent from a definition whose `settings.simulated` describes it (see
 * `SimulatedAgentConfig`). Throws a `DefinitionError` when those settings are invalid.
 */
export function simulatedAgent(
  definition: AgentDefinition,
  options: SimulatedAgentOptions = {},
): SimulatedAgent {
  const config = readSimulatedConfig(definition);
  const clock = options.clock ?? systemClock;
  const wait = options.simulateLatency ?? true;

  const plan = (idempotencyKey: string): SimulatedAttempt => {
    const random = seededRandom(`${config.seed}\u0000${idempotencyKey}`);
    // Always draw in the same order, so changing the failure rate does not change the latencies.
    const latencyMs = sampleLatency(config.latency, random);
    const fails = random() < config.failureRate;
    return { latencyMs, fails };
  };

  return {
    agent: definition,
    config,
    plan,
    async invoke(invocation, produce) {
      throwIfAborted(invocation.signal);
      const attempt = plan(invocation.idempotencyKey);
      let output: unknown;
      if (config.output !== undefined) output = resolveTemplates(config.output, { input: invocation.input });
      else if (produce) output = await produce(invocation);
      else output = { simulated: true };
      if (wait && attempt.latencyMs > 0) await abortableDelay(attempt.latencyMs, invocation.signal, clock);
      throwIfAborted(invocation.signal);
      if (attempt.fails) {
        throw new AgentError(`${config.failureMessage} (simulated, attempt ${invocation.attempt})`, {
          retryable: true,
          details: { simulated: true, idempotencyKey: invocation.idempotencyKey },
        });
      }
      return { output, costUsd: config.costUsd };
    },
  };
}
