import {
  AgentError,
  BatonError,
  DefinitionError,
  FINAL_RUN_STATUSES,
  NotFoundError,
  ORG_LABEL,
  isBatonError,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
  type Engine,
  type RunEvent,
  type RunRecord,
  type StartRunOptions,
  type Store,
  type Workflow,
} from '@baton/core';
import { abortError, throwIfAborted } from '@baton/agents';
import { readWorkflowAgentSettings, type WorkflowAgentSettings } from './workflow-agent-settings.js';

/** The label that names the run whose agent task started a workflow agent's child run. */
export const PARENT_RUN_LABEL = 'baton.parent-run';
/** The label that names that task's key. */
export const PARENT_TASK_LABEL = 'baton.parent-task';

/** The events a run ends with. */
const RUN_END_EVENTS: ReadonlySet<RunEvent['type']> = new Set([
  'run.completed',
  'run.failed',
  'run.cancelled',
  'run.rolled_back',
  'run.rollback_failed',
]);

/** What a workflow agent needs of the engine; small, so that the runtime can be tested without one. */
export interface WorkflowRunHost {
  /** A saved workflow version; without `version`, the newest. */
  loadWorkflow(id: string, version?: string): Promise<Workflow | undefined>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /**
   * Starts a run. Rejects with a `DefinitionError` naming the problems when the input breaks the workflow's
   * `inputs` schema, and with a `ConflictError` when a run has that id already.
   */
  startRun(workflow: Workflow, input: Record<string, unknown>, options: StartRunOptions): Promise<RunRecord>;
  /** Resolves with the run once it has ended. */
  waitForRun(runId: string): Promise<RunRecord>;
  cancelRun(runId: string, reason: string): Promise<void>;
  /** Live events of one run; returns the function that stops listening. */
  subscribe(runId: string, listener: (event: RunEvent) => void): () => void;
}

/** The host of an engine of this process, and the store it runs on. */
export function engineRunHost(engine: Engine, store: Pick<Store, 'getRun' | 'getWorkflow'>): WorkflowRunHost {
  return {
    loadWorkflow: async (id, version) => (await store.getWorkflow(id, version))?.workflow,
    getRun: (runId) => store.getRun(runId),
    startRun: (workflow, input, options) => engine.startRun(workflow, input, options),
    waitForRun: (runId) => engine.waitForRun(runId),
    cancelRun: (runId, reason) => engine.send(runId, { type: 'cancel', reason }),
    subscribe: (runId, listener) => engine.bus.subscribe(runId, listener),
  };
}

/**
 * Runs `workflow` agents: a saved workflow as an agent. Each attempt of a task runs the workflow as a child
 * run whose id is the attempt's idempotency key, so an attempt recovered after a crash waits for the child the
 * first one started instead of starting another. The task's input is the child's input, the child's outputs
 * and cost are the agent's; a child that fails or is cancelled fails the task (retryable only when the child's
 * error is), and aborting the task cancels the child. The child's task completions are the task's progress.
 *
 * The child is linked by the `baton.parent-run`/`baton.parent-task` labels, not by `StartRunOptions.parent`:
 * a run with `parent` is a subworkflow node's child, whose end the engine itself reports to the parent task
 * (`child.completed`/`child.failed`) and which it cancels with that task. For an agent task that would be a
 * second report of the outcome this runtime returns, kept harmless only by the engine ignoring it for
 * non-subworkflow nodes; with labels, this runtime is the one path from the child's end to the task.
 *
 * The runtime is made with the other runtimes, before the engine that it needs: {@link attach} connects it.
 */
export class WorkflowAgentRuntime implements AgentRuntime {
  readonly kind = 'workflow';
  #host: WorkflowRunHost | undefined;

  constructor(host?: WorkflowRunHost) {
    this.#host = host;
  }

  /** Connects the runtime to the engine once that exists; before, calls fail for good. */
  attach(host: WorkflowRunHost): void {
    this.#host = host;
  }

  /**
   * Disconnects it before the engine stops. A task aborted by the shutdown then leaves its child run alone:
   * the child is recovered with its parent on the next start, and the recovered attempt waits for it.
   */
  detach(): void {
    this.#host = undefined;
  }

  supports(agent: AgentDefinition): boolean {
    return agent.kind === 'workflow';
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    const { agent, signal } = invocation;
    const settings = readWorkflowAgentSettings(agent);
    const host = this.#host;
    if (!host) {
      throw new AgentError(
        `workflow agent ${label(agent)} runs only in a process with an engine (createBaton, baton run, ` +
          'baton serve), not on a baton worker: route its tasks to a pool served by createBaton({ worker })',
        { retryable: false },
      );
    }
    throwIfAborted(signal);
    const childId = invocation.idempotencyKey;
    let endedOnBus: (run: RunRecord) => void = () => undefined;
    const ended = new Promise<RunRecord>((resolve) => (endedOnBus = resolve));
    // Before the child starts, so that none of its events is missed.
    const stop = host.subscribe(childId, (event) => {
      if (event.type === 'task.succeeded') {
        const { taskKey, nodeId, costUsd } = event;
        const data = { childRunId: childId, taskKey, nodeId, costUsd };
        invocation.progress(`${nodeId} succeeded in run ${childId}`, data);
      } else if (RUN_END_EVENTS.has(event.type)) {
        // Also how the end of a child that another process drives is seen (waitForRun sees this process's).
        void host.getRun(childId).then(
          (run) => {
            if (run && FINAL_RUN_STATUSES.has(run.status)) endedOnBus(run);
          },
          () => undefined,
        );
      }
    });
    try {
      // A recovered attempt (same idempotency key) finds the child the first one started.
      if (!(await host.getRun(childId))) await this.#start(host, invocation, settings, childId);
      return outcome(await this.#wait(host, childId, signal, ended));
    } finally {
      stop();
    }
  }

  async #start(
    host: WorkflowRunHost,
    invocation: AgentInvocation,
    settings: WorkflowAgentSettings,
    childId: string,
  ): Promise<void> {
    const { agent, runId, taskKey, signal } = invocation;
    const { id, version } = settings.workflow;
    const parent = await host.getRun(runId);
    await refuseCycle(host, agent, parent, id);
    const workflow = await host.loadWorkflow(id, version);
    if (!workflow) {
      throw new NotFoundError(
        `workflow agent ${label(agent)} runs workflow "${id}${version === undefined ? '' : `@${version}`}", ` +
          'which is not saved: save it (saveWorkflow) before running this agent',
        { details: { workflowId: id, ...(version === undefined ? {} : { version }) } },
      );
    }
    const org = parent?.labels?.[ORG_LABEL];
    const options: StartRunOptions = {
      runId: childId,
      labels: {
        [PARENT_RUN_LABEL]: runId,
        [PARENT_TASK_LABEL]: taskKey,
        // The child counts against the parent's org limits, as its tasks are the parent task's work.
        ...(org === undefined ? {} : { [ORG_LABEL]: org }),
      },
      ...(parent ? { priority: parent.priority } : {}),
    };
    throwIfAborted(signal);
    try {
      await host.startRun(workflow, { ...invocation.input }, options);
    } catch (error) {
      // Two deliveries of one attempt raced: the other one started the child, and both wait for it.
      if (isBatonError(error, 'CONFLICT') && (await host.getRun(childId))) return;
      if (error instanceof DefinitionError) {
        throw new DefinitionError(`workflow agent ${label(agent)}: ${error.message}`, error.problems, {
          cause: error,
        });
      }
      throw error;
    }
    invocation.progress(`started run ${childId} of workflow ${workflow.id}@${workflow.version}`, {
      childRunId: childId,
      workflowId: workflow.id,
      workflowVersion: workflow.version,
    });
  }

  /** The child's end; when the task's signal aborts first, the child is cancelled (unless Baton is closing). */
  #wait(
    host: WorkflowRunHost,
    childId: string,
    signal: AbortSignal,
    endedOnBus: Promise<RunRecord>,
  ): Promise<RunRecord> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const reason: unknown = signal.reason;
        const why = reason instanceof Error ? reason.message : 'the task was cancelled';
        // Detached: the engine is stopping, and the child is recovered with the parent instead.
        if (this.#host === host) {
          host.cancelRun(childId, `its parent task stopped: ${why}`).catch(() => undefined);
        }
        reject(abortError(signal));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      Promise.race([host.waitForRun(childId), endedOnBus]).then(
        (run) => {
          signal.removeEventListener('abort', onAbort);
          resolve(run);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

/** The agent's result from its child's end: outputs and cost, or the child's failure. */
function outcome(run: RunRecord): AgentResult {
  if (run.status === 'completed') return { output: run.output ?? {}, costUsd: run.costUsd };
  const error = run.error;
  throw new AgentError(
    `workflow ${run.workflowId}@${run.workflowVersion} (run ${run.id}) ended ${run.status}` +
      (error ? `: ${error.message}` : ''),
    {
      retryable: run.status !== 'cancelled' && error?.retryable === true,
      details: { childRunId: run.id, status: run.status, ...(error ? { error } : {}) },
    },
  );
}

/**
 * Refuses to start `workflowId` from a run that is, or descends from, a run of it: the run would start
 * itself again and again. Follows the parent labels (and subworkflow parents) up to the root.
 */
async function refuseCycle(
  host: WorkflowRunHost,
  agent: AgentDefinition,
  run: RunRecord | undefined,
  workflowId: string,
): Promise<void> {
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let at = run; at && !seen.has(at.id);) {
    seen.add(at.id);
    chain.unshift(at.workflowId);
    if (at.workflowId === workflowId) {
      const path = [...chain, workflowId].join(' → ');
      throw new BatonError(
        'WORKFLOW_CYCLE',
        `workflow agent ${label(agent)} would run workflow "${workflowId}" inside itself (${path}): a workflow ` +
          'agent cannot call a workflow it is already part of; point settings.workflow.id at another workflow',
        { retryable: false, details: { chain: [...chain, workflowId], runs: [...seen] } },
      );
    }
    const up = at.labels?.[PARENT_RUN_LABEL] ?? at.parent?.runId;
    at = up === undefined ? undefined : await host.getRun(up);
  }
}

function label(agent: AgentDefinition): string {
  return `${agent.id}@${agent.version}`;
}
