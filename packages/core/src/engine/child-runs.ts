import type { EngineCommand, EngineInput } from '../execution/engine-input.js';
import { FINAL_RUN_STATUSES } from '../execution/lifecycle.js';
import type { RunRecord } from '../execution/records.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { Store } from '../ports/store.js';
import type { StartRunOptions } from './engine-options.js';
import type { WorkflowVersions } from './workflow-versions.js';

/** What child runs need from the engine that drives their parents. */
export interface ChildRunHost {
  store: Store;
  versions: WorkflowVersions;
  /** The runs this process holds in memory. */
  driven(): Iterable<RunRecord>;
  /** Feeds an input to a run this process holds in memory; nothing when it does not. */
  apply(runId: string, input: EngineInput): void;
  startRun(workflow: Workflow, input: Record<string, unknown>, options: StartRunOptions): Promise<RunRecord>;
}

/**
 * Subworkflow nodes: a child run per task attempt, whose id derives from `parent:task:attempt` so that asking
 * again after a restart starts nothing new; its end is reported to the parent as `child.completed` or
 * `child.failed`; cancelling the task cancels the child.
 */
export class ChildRuns {
  constructor(private readonly host: ChildRunHost) {}

  async start(parent: RunRecord, command: Extract<EngineCommand, { type: 'startChildRun' }>): Promise<void> {
    const fail = (message: string): void =>
      this.host.apply(parent.id, {
        type: 'child.failed',
        taskKey: command.taskKey,
        error: { code: 'NOT_FOUND', message, retryable: false },
      });
    const runId = childRunId(parent.id, command.taskKey, command.attempt);
    try {
      const existing = await this.host.store.getRun(runId);
      if (existing) {
        // Asked again after a restart: the child exists, and finishing it reports to this parent.
        if (FINAL_RUN_STATUSES.has(existing.status)) this.reportToParent(existing);
        return;
      }
      const workflow = await this.host.versions.load(command.workflow.id, command.workflow.version);
      if (!workflow) {
        const version = command.workflow.version ? `@${command.workflow.version}` : '';
        return fail(`no saved workflow "${command.workflow.id}${version}"; save it before running this one`);
      }
      await this.host.startRun(workflow, command.input, {
        runId,
        parent: { runId: parent.id, taskKey: command.taskKey },
        priority: parent.priority,
      });
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }

  /** Tells a parent run this process drives that its child run ended. */
  reportToParent(run: RunRecord): void {
    if (!run.parent) return;
    this.host.apply(
      run.parent.runId,
      run.status === 'completed'
        ? {
            type: 'child.completed',
            taskKey: run.parent.taskKey,
            output: run.output ?? {},
            costUsd: run.costUsd,
          }
        : {
            type: 'child.failed',
            taskKey: run.parent.taskKey,
            error: run.error ?? {
              code: 'CANCELLED',
              message: `child run ${run.id} was ${run.status}`,
              retryable: false,
            },
          },
    );
  }

  /** Cancels child runs this process drives that a cancelled subworkflow task started. */
  cancelChildren(runId: string, taskKey: string, reason: string): void {
    for (const child of [...this.host.driven()]) {
      const parent = child.parent;
      if (parent?.runId === runId && parent.taskKey === taskKey)
        this.host.apply(child.id, { type: 'cancel', reason });
    }
  }
}

/** The id of the child run a subworkflow task starts: the same for a repeated request. */
function childRunId(parentRunId: string, taskKey: string, attempt: number): string {
  return `${parentRunId}.${taskKey}.${attempt}`;
}
