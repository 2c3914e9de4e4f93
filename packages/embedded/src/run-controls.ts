import type { AgentHealth, BreakerChange, BreakerRecord, Engine, RunControl } from '@baton/core';

/** Who acts and why: recorded in the run's audit trail (`operator.acted`). */
export interface ActOptions {
  by?: string;
  reason?: string;
}

/** An agent version's circuit breaker and the health it gives the agent. */
export interface AgentBreaker extends BreakerRecord {
  health: AgentHealth;
  /** The fraction of recent calls that failed. */
  failureRate: number;
}

/**
 * What operators and approvers do to runs. Each works whether this process drives the run or another one
 * sharing the store does (the command is applied there within ~50 ms); a run nobody drives is taken over by
 * this process. A control the run's state does not allow rejects with the reason (`ConflictError`) and changes
 * nothing.
 */
export interface RunControls {
  /** Any control, as the engine takes it. */
  control(runId: string, input: RunControl): Promise<void>;
  /** Records an approver's decision on a waiting approval task (or an escalated failure: retry, skip, abort). */
  decide(runId: string, taskKey: string, decision: string, by: string, comment?: string): Promise<void>;
  /**
   * Answers an agent that asked for input (an approval of kind `input`): the task runs again with the answer —
   * text or any JSON — which the agent carries on with (an A2A agent sends it to the remote task that asked).
   */
  reply(
    runId: string,
    taskKey: string,
    reply: unknown,
    options?: { by?: string; comment?: string },
  ): Promise<void>;
  /** Nothing new starts; tasks in flight finish and their results are recorded. */
  pause(runId: string, by?: string, reason?: string): Promise<void>;
  resume(runId: string, by?: string, reason?: string): Promise<void>;
  cancel(runId: string, by?: string, reason?: string): Promise<void>;
  /** Runs a task that failed and waits for a person again, as its next attempt. */
  retryTask(runId: string, taskKey: string, options?: ActOptions): Promise<void>;
  /** Settles an open task with `output` as if its agent had returned it (a running agent is aborted). */
  skipTask(runId: string, taskKey: string, output: unknown, options?: ActOptions): Promise<void>;
  /** Sets workflow variables of a paused run. */
  setVars(runId: string, vars: Record<string, unknown>, options?: ActOptions): Promise<void>;
  /** Lays `input` over the inputs of an agent task that has not started (paused or step-through runs). */
  editTaskInput(
    runId: string,
    taskKey: string,
    input: Record<string, unknown>,
    options?: ActOptions,
  ): Promise<void>;
  /** Cancels what is open and runs the compensations of completed steps, newest first. */
  rollback(runId: string, options?: ActOptions): Promise<void>;
  /** Step-through mode: dispatches the next held task. */
  step(runId: string, by?: string): Promise<void>;
  /** Every agent version's circuit breaker that has seen calls, with its health. */
  agentHealth(): AgentBreaker[];
  /** Listens to breakers tripping, half-opening and closing; returns the function that stops listening. */
  onBreakerChange(listener: (change: BreakerChange) => void): () => void;
}

export function runControls(engine: Engine): RunControls {
  const act = (options: { by?: string | undefined; reason?: string | undefined } = {}): ActOptions => ({
    ...(options.by === undefined ? {} : { by: options.by }),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
  });
  return {
    control: (runId, input) => engine.send(runId, input),
    decide: (runId, taskKey, decision, by, comment) =>
      engine.send(runId, {
        type: 'approval.decide',
        taskKey,
        decision,
        by,
        ...(comment === undefined ? {} : { comment }),
      }),
    reply: (runId, taskKey, reply, options = {}) =>
      engine.send(runId, {
        type: 'approval.decide',
        taskKey,
        decision: 'reply',
        by: options.by ?? 'operator',
        reply,
        ...(options.comment === undefined ? {} : { comment: options.comment }),
      }),
    pause: (runId, by, reason) => engine.send(runId, { type: 'pause', ...act({ by, reason }) }),
    resume: (runId, by, reason) => engine.send(runId, { type: 'resume', ...act({ by, reason }) }),
    cancel: (runId, by, reason) => engine.send(runId, { type: 'cancel', ...act({ by, reason }) }),
    retryTask: (runId, taskKey, options) =>
      engine.send(runId, { type: 'task.retry', taskKey, ...act(options) }),
    skipTask: (runId, taskKey, output, options) =>
      engine.send(runId, { type: 'task.skip', taskKey, output, ...act(options) }),
    setVars: (runId, vars, options) => engine.send(runId, { type: 'vars.set', vars, ...act(options) }),
    editTaskInput: (runId, taskKey, input, options) =>
      engine.send(runId, { type: 'task.edit-input', taskKey, input, ...act(options) }),
    rollback: (runId, options) => engine.send(runId, { type: 'rollback', ...act(options) }),
    step: (runId, by) => engine.send(runId, { type: 'step', ...(by === undefined ? {} : { by }) }),
    agentHealth: () =>
      engine.breakers.list().map((record) => ({
        ...record,
        health: engine.breakers.health(record.agent),
        failureRate: engine.breakers.failureRate(record.agent),
      })),
    onBreakerChange: (listener) => engine.breakers.onChange(listener),
  };
}
