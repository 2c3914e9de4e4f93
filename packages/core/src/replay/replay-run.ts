import { decide } from '../execution/decide.js';
import type { EngineInput } from '../execution/engine-input.js';
import type { RunStatus } from '../execution/lifecycle.js';
import type { RunRecord } from '../execution/records.js';
import { createRunState } from '../execution/restore-run-state.js';
import type { RunEvent } from '../execution/run-event.js';
import { engineState, type EngineRunState, type NodeEntry } from '../execution/run-state.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { Budget } from '../model/common-schema.js';
import { canonicalJson } from '../model/canonical-json.js';
import type { Workflow } from '../model/workflow-schema.js';
import { AgentCatalog } from '../registry/agent-catalog.js';
import { deriveInput } from './derive-input.js';
import { LoggedAgents } from './logged-agents.js';
import { loggedBreakers } from './logged-breakers.js';

/** What expressions of the run's top level would read after a step, with the run's status and cost. */
export interface ReplayContext {
  input: Record<string, unknown>;
  vars: Record<string, unknown>;
  /** `nodes.<id>` as the top level reads it: inner nodes of finished containers show their latest task. */
  nodes: Record<string, NodeEntry>;
  status: RunStatus;
  costUsd: number;
}

/** One decision of the replay: the input fed to `decide`, at the logged time, and what it produced. */
export interface ReplayStep {
  /** 0 for the run's `start`. */
  index: number;
  input: EngineInput;
  /** The decision's time: the `at` of the events it reproduces. */
  at: number;
  events: RunEvent[];
  context: ReplayContext;
}

/** Where a replay stopped agreeing with the log. */
export interface ReplayDivergence {
  /** The first `seq` that was not reproduced. */
  seq: number;
  /** What the log holds there; absent when the replay produced more events than the log has. */
  expected?: RunEvent;
  /** What the replay produced there; absent when no input could be derived or the input produced nothing. */
  actual?: RunEvent;
  message: string;
  /** The step that diverged, when a step was taken (it is the last of `steps`). */
  step?: number;
}

/** The outcome of `replayRun`. */
export interface ReplayResult {
  steps: ReplayStep[];
  /** Whether every logged event was reproduced exactly, in order. */
  matches: boolean;
  divergence?: ReplayDivergence;
}

export interface ReplayOptions {
  /**
   * Agent definitions to use for agents the log names by `id@version` (their retry policies matter). Agents
   * not found here are stood in for by definitions rebuilt from the log; none is ever called.
   */
  agents?: AgentCatalog | Iterable<AgentDefinition>;
  /**
   * The limits of the run's org (`EngineOptions.orgLimits` of its `baton.org` label) when it had any: they cap
   * the workflow's budget, and the log does not record them.
   */
  orgLimits?: Partial<Budget>;
}

/**
 * Replays a run from its event log through the pure `decide`, without calling any agent: from the run as it
 * was created, each decision's input is derived from the first logged event not yet reproduced, fed at that
 * event's time, and the events it produces are compared with the log's next ones — whole events, `seq` and
 * `at` included. Stops at the first difference, or where the log does not tell what the input was. Use it to
 * step through a finished run with the context each step saw, or to check that a log is what the engine and
 * workflow version make of its inputs (a changed output, a changed engine).
 *
 * `createdRun` is the run's record (any later version of it will do: only its id, priority, labels, parent
 * and the workflow's variable defaults are used); `events` is the whole log from `run.created` (seq 1) on.
 * What the engine asked outside `decide` is answered from the log too: the agents a task used, the
 * alternatives it fell back to, and which circuit breakers let a call through (logged-agents.ts,
 * logged-breakers.ts).
 */
export function replayRun(
  workflow: Workflow,
  createdRun: RunRecord,
  events: readonly RunEvent[],
  options: ReplayOptions = {},
): ReplayResult {
  const created = events[0];
  if (created?.type !== 'run.created' || created.seq !== 1) {
    return stopped([], {
      seq: 1,
      ...(created ? { expected: created } : {}),
      message: 'the log does not begin with run.created (seq 1)',
    });
  }
  if (created.workflowId !== workflow.id || created.workflowVersion !== workflow.version) {
    return stopped([], {
      seq: 1,
      expected: created,
      message: `the run is of workflow ${created.workflowId}@${created.workflowVersion}, not ${workflow.id}@${workflow.version}`,
    });
  }
  const record = initialRecord(workflow, createdRun, created);
  const state = engineState(createRunState(workflow, record, [], 1, options.orgLimits));
  const known = options.agents instanceof AgentCatalog ? options.agents.list() : (options.agents ?? []);
  const agents = new LoggedAgents(workflow, events, (id) => state.compiled.nodes.get(id)?.node, known);
  const breakers = loggedBreakers(state, events);
  const steps: ReplayStep[] = [];
  for (let next = 1; next < events.length;) {
    const first = events[next] as RunEvent;
    const derived = deriveInput(state, events, next);
    if ('problem' in derived)
      return stopped(steps, { seq: first.seq, expected: first, message: derived.problem });
    const { input } = derived;
    const ctx = { now: first.at, ...agents.contextAt(next), ...breakers };
    const produced = decide(state, input, ctx).delta.events;
    const step: ReplayStep = {
      index: steps.length,
      input,
      at: first.at,
      events: produced,
      context: contextOf(state),
    };
    steps.push(step);
    if (produced.length === 0) {
      return stopped(steps, {
        seq: first.seq,
        expected: first,
        message: `${input.type} changed nothing, yet the log goes on with ${first.type}`,
        step: step.index,
      });
    }
    for (const [i, actual] of produced.entries()) {
      const expected = events[next + i];
      if (expected && canonicalJson(expected) === canonicalJson(actual)) continue;
      return stopped(steps, {
        seq: expected?.seq ?? actual.seq,
        ...(expected ? { expected } : {}),
        actual,
        message: mismatch(expected, actual),
        step: step.index,
      });
    }
    next += produced.length;
  }
  return { steps, matches: true };
}

/** The run as `Engine.startRun` created it, before its first decision. */
function initialRecord(
  workflow: Workflow,
  run: RunRecord,
  created: Extract<RunEvent, { type: 'run.created' }>,
): RunRecord {
  return {
    id: created.runId,
    workflowId: created.workflowId,
    workflowVersion: created.workflowVersion,
    status: 'queued',
    priority: run.priority,
    input: structuredClone(created.input),
    vars: Object.fromEntries(Object.entries(workflow.variables).map(([k, v]) => [k, v.default ?? null])),
    costUsd: 0,
    createdAt: created.at,
    ...(run.parent ? { parent: { ...run.parent } } : {}),
    ...(run.labels ? { labels: { ...run.labels } } : {}),
  };
}

/**
 * A snapshot of what the top level reads. Shallow copies suffice: `decide` replaces node entries and the
 * variables object when they change rather than editing them, so earlier snapshots keep what they saw.
 */
function contextOf(state: EngineRunState): ReplayContext {
  const { run } = state;
  return {
    input: run.input,
    vars: { ...run.vars },
    nodes: state.top ? { ...state.top.view } : {},
    status: run.status,
    costUsd: run.costUsd,
  };
}

function stopped(steps: ReplayStep[], divergence: ReplayDivergence): ReplayResult {
  return { steps, matches: false, divergence };
}

function mismatch(expected: RunEvent | undefined, actual: RunEvent): string {
  if (!expected) return `the replay produced ${label(actual)}, past the end of the log`;
  if (expected.type !== actual.type || taskOf(expected) !== taskOf(actual)) {
    return `the log has ${label(expected)}, the replay produced ${label(actual)}`;
  }
  const logged = new Map<string, unknown>(Object.entries(expected));
  const replayed = new Map<string, unknown>(Object.entries(actual));
  const fields = [...new Set([...logged.keys(), ...replayed.keys()])].filter(
    (k) => canonicalJson(logged.get(k)) !== canonicalJson(replayed.get(k)),
  );
  return `${label(expected)} differs in ${fields.join(', ')}`;
}

function taskOf(event: RunEvent): string | undefined {
  return 'taskKey' in event ? event.taskKey : undefined;
}

function label(event: RunEvent): string {
  const task = taskOf(event);
  return task === undefined ? event.type : `${event.type} of ${task}`;
}
