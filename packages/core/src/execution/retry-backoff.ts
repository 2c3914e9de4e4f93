import type { AgentDefinition } from '../model/agent-schema.js';
import type { RetryPolicy } from '../model/common-schema.js';
import type { WorkflowNode } from '../model/node-schema.js';
import type { WorkflowPolicies } from '../model/workflow-schema.js';
import type { ErrorInfo } from './records.js';

/** A retry policy with every default filled in. */
export type ResolvedRetryPolicy = Required<Omit<RetryPolicy, 'retryOn'>> & Pick<RetryPolicy, 'retryOn'>;

/** What an agent's `config.retryPolicy` leaves out. */
const AGENT_POLICY_DEFAULTS = { initialDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.2 } as const;

/**
 * The retry policy of a task: the node's `retry`, else the workflow's `policies.retry`, else (agent nodes) the
 * agent's `config.retryPolicy`; undefined when none applies.
 */
export function resolveRetryPolicy(
  node: WorkflowNode,
  policies: Pick<WorkflowPolicies, 'retry'> | undefined,
  agent: AgentDefinition | undefined,
): ResolvedRetryPolicy | undefined {
  const policy = node.retry ?? policies?.retry;
  if (policy) {
    const resolved: ResolvedRetryPolicy = {
      maxRetries: policy.maxRetries,
      backoff: policy.backoff ?? 'exponential',
      initialDelayMs: policy.initialDelayMs ?? 1000,
      maxDelayMs: policy.maxDelayMs ?? 60_000,
      jitter: policy.jitter ?? 0.2,
    };
    if (policy.retryOn) resolved.retryOn = policy.retryOn;
    return resolved;
  }
  if (agent && node.type === 'agent') {
    const { maxRetries, backoff } = agent.config.retryPolicy;
    return { maxRetries, backoff, ...AGENT_POLICY_DEFAULTS };
  }
  return undefined;
}

/** Whether a failure of attempt `attempt` (1 = the first) is tried again under `policy`. */
export function shouldRetry(policy: ResolvedRetryPolicy, attempt: number, error: ErrorInfo): boolean {
  if (attempt > policy.maxRetries) return false;
  return error.retryable || (policy.retryOn?.includes(error.code) ?? false);
}

/**
 * The back-off before the attempt after `attempt`: `exponential` initial × 2^(attempt−1), `linear`
 * initial × attempt, `fixed` initial; capped by `maxDelayMs`; then spread by ± `jitter` with a fraction drawn
 * from `seed`, so the same run, task and attempt always wait the same (replay is exact). Whole milliseconds.
 */
export function backoffDelay(policy: ResolvedRetryPolicy, attempt: number, seed: string): number {
  const n = Math.max(0, attempt - 1);
  const base =
    policy.backoff === 'exponential'
      ? policy.initialDelayMs * 2 ** n
      : policy.backoff === 'linear'
        ? policy.initialDelayMs * (n + 1)
        : policy.initialDelayMs;
  const capped = Math.min(base, policy.maxDelayMs);
  const spread = policy.jitter * (2 * seededFraction(seed) - 1);
  return Math.max(0, Math.round(capped * (1 + spread)));
}

/** A fraction in [0, 1) from a string: FNV-1a, then a finalizer that spreads the bits. */
export function seededFraction(seed: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}
