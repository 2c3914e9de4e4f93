import { DefinitionError, type AgentDefinition, type Problem } from '@baton/core';
import type { LatencyDistribution } from './latency-distribution.js';

/**
 * How a simulated agent behaves, read from its definition's `settings`:
 *
 * ```json
 * "settings": {
 *   "simulated": {
 *     "latency": { "type": "log-normal", "medianMs": 120, "sigma": 0.4 },
 *     "failureRate": 0.05,
 *     "costUsd": 0.002,
 *     "seed": "demo",
 *     "output": { "summary": "Processed {{ input.title }}" }
 *   }
 * }
 * ```
 *
 * `"simulated": true` takes every default: a fixed latency of `settings.latencyMs`, else of the declared
 * `performance.avgLatency`; no failures; the declared `costPerExecution`; and, for agents without an
 * implementation, the output `{ "simulated": true }`. `latency` may also be a plain number of milliseconds.
 */
export interface SimulatedAgentConfig {
  readonly latency: LatencyDistribution;
  /** Share of attempts that fail with a retryable `AgentError`, 0 to 1. */
  readonly failureRate: number;
  readonly failureMessage: string;
  readonly costUsd: number;
  /** Mixed with the idempotency key to derive each attempt's randomness. */
  readonly seed: string;
  /** A JSON value whose strings may hold `{{ input.x }}` templates; `undefined` when not given. */
  readonly output: unknown;
}

const KNOWN_FIELDS = ['latency', 'failureRate', 'failureMessage', 'costUsd', 'seed', 'output'];

/** True when the definition asks to be simulated (`settings.simulated` is `true` or a settings object). */
export function isSimulatedDefinition(agent: AgentDefinition): boolean {
  const simulated = agent.settings?.['simulated'];
  return simulated === true || isRecord(simulated);
}

/**
 * Reads and checks the simulation settings of a definition. Throws a `DefinitionError` naming every field
 * that is wrong, with its path (`settings.simulated.failureRate`).
 */
export function readSimulatedConfig(agent: AgentDefinition): SimulatedAgentConfig {
  const problems: Problem[] = [];
  const problem = (path: string, message: string, code = 'INVALID_VALUE'): void => {
    problems.push({ code, path: `settings.${path}`, message, severity: 'error' });
  };
  const settings = agent.settings ?? {};
  const raw = settings['simulated'];
  const given: Record<string, unknown> = isRecord(raw) ? raw : {};
  if (raw !== true && !isRecord(raw))
    problem('simulated', 'must be true or an object of simulation settings', 'WRONG_TYPE');
  for (const key of Object.keys(given)) {
    if (!KNOWN_FIELDS.includes(key)) {
      problem(
        `simulated.${key}`,
        `unknown field; expected one of ${KNOWN_FIELDS.join(', ')}`,
        'UNKNOWN_FIELD',
      );
    }
  }

  const number = (value: unknown, path: string, min: number, max = Number.POSITIVE_INFINITY): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problem(path, `must be a number, got ${JSON.stringify(value) ?? 'nothing'}`, 'WRONG_TYPE');
      return min;
    }
    if (value < min || value > max) problem(path, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };

  const fallbackMs =
    settings['latencyMs'] === undefined ? agent.performance.avgLatency : settings['latencyMs'];
  const latencyValue = given['latency'] ?? number(fallbackMs, 'latencyMs', 0);
  const latency = readLatency(latencyValue, number, problem);
  const failureRate =
    given['failureRate'] === undefined ? 0 : number(given['failureRate'], 'simulated.failureRate', 0, 1);
  const costUsd =
    given['costUsd'] === undefined
      ? agent.performance.costPerExecution
      : number(given['costUsd'], 'simulated.costUsd', 0);
  const seedValue = given['seed'];
  if (seedValue !== undefined && typeof seedValue !== 'string' && typeof seedValue !== 'number') {
    problem('simulated.seed', 'must be a string or a number', 'WRONG_TYPE');
  }
  const messageValue = given['failureMessage'];
  if (messageValue !== undefined && typeof messageValue !== 'string') {
    problem('simulated.failureMessage', 'must be a string', 'WRONG_TYPE');
  }

  if (problems.length > 0) {
    throw new DefinitionError(
      `agent ${agent.id}@${agent.version} has invalid simulation settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return {
    latency,
    failureRate,
    failureMessage: typeof messageValue === 'string' ? messageValue : `simulated failure of ${agent.id}`,
    costUsd,
    seed: typeof seedValue === 'string' || typeof seedValue === 'number' ? String(seedValue) : '',
    output: given['output'],
  };
}

type NumberReader = (value: unknown, path: string, min: number, max?: number) => number;

function readLatency(
  value: unknown,
  number: NumberReader,
  problem: (path: string, message: string, code?: string) => void,
): LatencyDistribution {
  const path = 'simulated.latency';
  if (typeof value === 'number') return { type: 'fixed', ms: number(value, path, 0) };
  if (!isRecord(value)) {
    problem(path, 'must be a number of milliseconds or a distribution object', 'WRONG_TYPE');
    return { type: 'fixed', ms: 0 };
  }
  switch (value['type']) {
    case 'fixed':
      return { type: 'fixed', ms: number(value['ms'], `${path}.ms`, 0) };
    case 'uniform': {
      const minMs = number(value['minMs'], `${path}.minMs`, 0);
      const maxMs = number(value['maxMs'], `${path}.maxMs`, 0);
      if (maxMs < minMs) problem(`${path}.maxMs`, `must be at least minMs (${minMs})`);
      return { type: 'uniform', minMs, maxMs };
    }
    case 'normal':
      return {
        type: 'normal',
        meanMs: number(value['meanMs'], `${path}.meanMs`, 0),
        stdDevMs: number(value['stdDevMs'], `${path}.stdDevMs`, 0),
      };
    case 'log-normal':
      return {
        type: 'log-normal',
        medianMs: number(value['medianMs'], `${path}.medianMs`, 0),
        sigma: number(value['sigma'] ?? 0.5, `${path}.sigma`, 0, 10),
      };
    default:
      problem(`${path}.type`, 'must be one of fixed, uniform, normal, log-normal');
      return { type: 'fixed', ms: 0 };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
