import {
  AgentError,
  CancelledError,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
  type Clock,
} from '@baton/core';

/** One scripted outcome of one agent call. */
export type ScriptStep =
  | { output: unknown; costUsd?: number }
  | { error: Error }
  /** Never answers; rejects with the signal's reason once the call is aborted (timeout, cancel). */
  | { hang: true }
  /** Waits on the runtime's clock, then plays `then`. */
  | { delayMs: number; then: ScriptStep };

/**
 * A fake `AgentRuntime` for engine tests: each agent id plays a script of outcomes, one per call (the last one
 * repeats), or a function of the call. Delays run on the injected clock, so a `ManualClock` drives them
 * without sleeping. Every invocation is recorded in `calls`.
 */
export class ScriptedAgentRuntime implements AgentRuntime {
  readonly kind = 'scripted';
  readonly calls: AgentInvocation[] = [];
  readonly #scripts = new Map<string, ScriptStep[] | ((call: AgentInvocation) => ScriptStep)>();
  readonly #played = new Map<string, number>();

  constructor(private readonly clock?: Clock) {}

  /** Sets what `agentId` does on each call. */
  script(agentId: string, steps: ScriptStep[] | ((call: AgentInvocation) => ScriptStep)): this {
    if (Array.isArray(steps) && steps.length === 0) throw new RangeError('a script needs at least one step');
    this.#scripts.set(agentId, steps);
    this.#played.set(agentId, 0);
    return this;
  }

  /** Calls made to one agent. */
  callsOf(agentId: string): AgentInvocation[] {
    return this.calls.filter((c) => c.agent.id === agentId);
  }

  supports(agent: AgentDefinition): boolean {
    return this.#scripts.has(agent.id);
  }

  invoke(call: AgentInvocation): Promise<AgentResult> {
    this.calls.push(call);
    const script = this.#scripts.get(call.agent.id);
    if (!script)
      return Promise.reject(new AgentError(`no script for ${call.agent.id}`, { retryable: false }));
    let step: ScriptStep;
    if (typeof script === 'function') step = script(call);
    else {
      const played = this.#played.get(call.agent.id) ?? 0;
      this.#played.set(call.agent.id, played + 1);
      step = script[Math.min(played, script.length - 1)] as ScriptStep;
    }
    return this.#play(step, call.signal);
  }

  #play(step: ScriptStep, signal: AbortSignal): Promise<AgentResult> {
    if ('output' in step) {
      return Promise.resolve(
        step.costUsd === undefined ? { output: step.output } : { output: step.output, costUsd: step.costUsd },
      );
    }
    if ('error' in step) return Promise.reject(step.error);
    return new Promise<AgentResult>((resolve, reject) => {
      const aborted = (): void => {
        cancel();
        reject(signal.reason instanceof Error ? signal.reason : new CancelledError('the call was aborted'));
      };
      let cancel = (): void => undefined;
      if ('delayMs' in step) {
        if (!this.clock) throw new Error('a delay step needs the runtime to have a clock');
        cancel = this.clock.setTimer(step.delayMs, () => {
          signal.removeEventListener('abort', aborted);
          this.#play(step.then, signal).then(resolve, reject);
        });
      }
      if (signal.aborted) aborted();
      else signal.addEventListener('abort', aborted, { once: true });
    });
  }
}
