import type { EngineInput } from '../execution/engine-input.js';
import type { RunEvent } from '../execution/run-event.js';
import type { DerivedInput } from './derive-input.js';

type Audit = Extract<RunEvent, { type: 'operator.acted' }>;

/** The run event each run-level operator act leads to, which alone shows whether the act named who did it. */
const EFFECTS = { pause: 'run.paused', resume: 'run.resumed', cancel: 'run.cancelled' } as const;

/**
 * The operator input behind an `operator.acted` audit event, which the engine logs first in the decision of
 * every operator act it applies, with the act's own fields (`details`: the variables, the edited input, the
 * skip's output).
 */
export function deriveOperatorInput(log: readonly RunEvent[], from: number): DerivedInput {
  const audit = log[from] as Audit;
  const reason = audit.reason === undefined ? {} : { reason: audit.reason };
  const details = audit.details ?? {};
  const task = (build: (taskKey: string) => EngineInput): DerivedInput =>
    audit.taskKey === undefined
      ? { problem: `the audit of ${audit.command} names no task` }
      : { input: build(audit.taskKey) };
  switch (audit.command) {
    case 'pause':
    case 'resume':
    case 'cancel': {
      // The audit records an unnamed operator under a stand-in name; the effect's event records `by` only
      // when the input had one, and the two inputs differ in what they log.
      const effect = effectOf(log, from, EFFECTS[audit.command]);
      const by = effect ? effect.by : audit.by;
      const named = by === undefined ? {} : { by };
      if (audit.command === 'resume') return { input: { type: 'resume', ...named, ...reason } };
      return { input: { type: audit.command, ...named, ...reason } };
    }
    case 'vars.set': {
      const vars = details['vars'];
      if (!isRecord(vars)) return { problem: `the audit of vars.set records no variables` };
      return { input: { type: 'vars.set', vars: structuredClone(vars), by: audit.by, ...reason } };
    }
    case 'task.edit-input': {
      const input = details['input'];
      if (!isRecord(input)) return { problem: `the audit of task.edit-input records no input` };
      return task((taskKey) => ({
        type: 'task.edit-input',
        taskKey,
        input: structuredClone(input),
        by: audit.by,
        ...reason,
      }));
    }
    case 'task.retry':
      return task((taskKey) => ({ type: 'task.retry', taskKey, by: audit.by, ...reason }));
    case 'task.skip':
      return task((taskKey) => ({
        type: 'task.skip',
        taskKey,
        output: structuredClone(details['output'] ?? null),
        by: audit.by,
        ...reason,
      }));
    case 'step':
      return { input: { type: 'step', by: audit.by } };
    case 'rollback':
      return { input: { type: 'rollback', by: audit.by, ...reason } };
  }
}

function effectOf<T extends (typeof EFFECTS)[keyof typeof EFFECTS]>(
  log: readonly RunEvent[],
  from: number,
  type: T,
): Extract<RunEvent, { type: T }> | undefined {
  const at = (log[from] as RunEvent).at;
  for (let i = from + 1; i < log.length && (log[i] as RunEvent).at === at; i++) {
    const event = log[i] as RunEvent;
    if (event.type === type) return event as Extract<RunEvent, { type: T }>;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
