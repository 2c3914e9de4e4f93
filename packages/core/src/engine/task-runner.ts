import { AgentError, CancelledError, TimeoutError } from '../errors/errors.js';
import type { EngineCommand, EngineInput } from '../execution/engine-input.js';
import type { AgentRuntime } from '../ports/agent-runtime.js';
import type { Clock } from '../ports/clock.js';
import type { WorkOutcome } from '../ports/work-store.js';
import { toErrorInfo } from './error-info.js';
import type { SchemaCheck } from './schema-check.js';

/** A dispatch command: one attempt of one agent task. */
export type Dispatch = Extract<EngineCommand, { type: 'dispatch' }>;

/** What the task runner needs from the engine. */
export interface TaskRunnerDeps {
  readonly clock: Clock;
  readonly runtimes: readonly AgentRuntime[];
  readonly schemas: SchemaCheck;
  /** Progress reports go to the run as `agent.progress` inputs. */
  readonly report: (input: EngineInput) => void;
}

/**
 * Runs one attempt of an agent task: finds the runtime for the agent's kind, enforces the timeout through the
 * signal, checks the output against the agent's `outputSchema`, and turns the outcome into an engine input.
 * Never throws: every failure becomes `agent.failed`.
 */
export async function runAgentTask(
  deps: TaskRunnerDeps,
  runId: string,
  dispatch: Dispatch,
  controller: AbortController,
  checkpoints: Map<string, unknown>,
): Promise<WorkOutcome> {
  const { agent, taskKey, attempt } = dispatch;
  const runtime = deps.runtimes.find((r) => r.supports(agent));
  if (!runtime) {
    return failedInput(
      dispatch,
      new AgentError(`no runtime can run ${agent.kind} agent ${agent.id}@${agent.version}`, {
        retryable: false,
      }),
    );
  }
  const cancelTimeout = deps.clock.setTimer(dispatch.timeoutMs, () =>
    controller.abort(new TimeoutError(`${agent.id} did not finish within ${dispatch.timeoutMs} ms`)),
  );
  try {
    const result = await runtime.invoke({
      agent,
      input: dispatch.input,
      runId,
      taskKey,
      attempt,
      idempotencyKey: `${runId}:${taskKey}:${attempt}`,
      signal: controller.signal,
      checkpoint: checkpoints.has(taskKey) ? checkpoints.get(taskKey) : dispatch.checkpoint,
      // Kept for this process at once, and committed on the task row so that a retry or a recovery after a
      // crash starts from it too.
      saveCheckpoint: (data) => {
        checkpoints.set(taskKey, data);
        deps.report({ type: 'agent.checkpoint', taskKey, attempt, data });
      },
      progress: (message, data) =>
        deps.report({ type: 'agent.progress', taskKey, message, ...(data === undefined ? {} : { data }) }),
    });
    // An agent that ignores its signal still loses: the abort reason (timeout, cancel) is the outcome.
    if (controller.signal.aborted) return failedInput(dispatch, abortReason(controller.signal));
    if (agent.outputSchema) {
      const problems = deps.schemas.check(agent.outputSchema, result.output);
      if (problems.length > 0) {
        return failedInput(
          dispatch,
          new AgentError(
            `${agent.id} returned output that does not match its outputSchema: ${problems.join('; ')}`,
            {
              retryable: false,
            },
          ),
        );
      }
    }
    return {
      type: 'agent.succeeded',
      taskKey,
      attempt,
      output: result.output,
      costUsd: result.costUsd ?? agent.performance.costPerExecution,
    };
  } catch (error) {
    return failedInput(dispatch, controller.signal.aborted ? abortReason(controller.signal) : error);
  } finally {
    cancelTimeout();
  }
}

function failedInput(dispatch: Dispatch, error: unknown): WorkOutcome {
  return {
    type: 'agent.failed',
    taskKey: dispatch.taskKey,
    attempt: dispatch.attempt,
    error: toErrorInfo(error),
  };
}

function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new CancelledError('the task was cancelled');
}
