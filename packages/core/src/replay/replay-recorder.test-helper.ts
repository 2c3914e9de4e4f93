import { RunHarness, type HarnessOptions } from '../execution/decide-harness.test-helper.js';
import { createRunState } from '../execution/restore-run-state.js';
import type { RunEvent } from '../execution/run-event.js';
import type { Workflow } from '../model/workflow-schema.js';
import { replayRun, type ReplayOptions, type ReplayResult } from './replay-run.js';

/**
 * A `RunHarness` whose log begins with `run.created` at seq 1, as `Engine.startRun` writes it, so that the
 * log it records is a whole run's log.
 */
export function recorder(workflow: Workflow, options: HarnessOptions = {}): RunHarness {
  const h = new RunHarness(workflow, options);
  h.events.push({
    type: 'run.created',
    runId: h.run.id,
    seq: 1,
    at: h.now,
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    input: structuredClone(h.run.input),
  });
  h.state = createRunState(workflow, h.run, [], 1);
  return h;
}

/** Replays what a recorder logged, with its agents as the catalog unless told otherwise. */
export function replayOf(
  h: RunHarness,
  options: ReplayOptions = { agents: [...h.agents.values()] },
  events: readonly RunEvent[] = h.events,
): ReplayResult {
  return replayRun(h.workflow, h.run, structuredClone(events), options);
}

/** The inputs a replay fed, by type and task, for reading a test at a glance. */
export function inputsOf(result: ReplayResult): string[] {
  return result.steps.map(({ input }) =>
    'taskKey' in input ? `${input.type} ${input.taskKey}` : input.type,
  );
}
