import type { AgentDefinitionInput, AgentInvocation } from '@baton/core';

/** A function agent's definition for tests: no retries, and a timeout long enough never to fire in a test. */
export function testAgent(id: string): AgentDefinitionInput {
  return {
    id,
    name: id,
    version: '1.0.0',
    kind: 'function',
    capabilities: { domain: 'operations', skills: ['test'] },
    performance: {
      avgLatency: 1,
      successRate: 100,
      throughput: 1000,
      costPerExecution: 0.001,
      reliability: 100,
    },
    config: { maxConcurrency: 100, timeout: 60_000, retryPolicy: { maxRetries: 0, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

/**
 * An agent that holds every call until the test releases it, so a run stays running exactly as long as a test
 * needs to act on it — no sleeps, no latency to guess. Each call answers with its input; an abort (a skipped or
 * cancelled task) ends the call at once.
 */
export class GatedAgent {
  readonly #waiting = new Map<string, () => void>();
  readonly #started = new Map<string, () => void>();
  /** Task keys of every call, in order (`runId:taskKey`). */
  readonly calls: string[] = [];

  readonly handler = (input: Readonly<Record<string, unknown>>, ctx: AgentInvocation): Promise<unknown> => {
    const key = `${ctx.runId}:${ctx.taskKey}`;
    this.calls.push(key);
    this.#started.get(key)?.();
    return new Promise((resolve, reject) => {
      this.#waiting.set(key, () => resolve({ ...input }));
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true });
    });
  };

  /** Resolves once the agent was called for `taskKey` of `runId`. */
  async started(runId: string, taskKey: string): Promise<void> {
    const key = `${runId}:${taskKey}`;
    if (this.calls.includes(key)) return;
    await new Promise<void>((resolve) => this.#started.set(key, resolve));
  }

  /** Lets the call for `taskKey` of `runId` return. */
  release(runId: string, taskKey: string): void {
    this.#waiting.get(`${runId}:${taskKey}`)?.();
  }
}
