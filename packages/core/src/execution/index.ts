/** The pure engine core: run and task state machines, records, events, and `decide`. */
export { decide } from './decide.js';
export type { DecideContext, Decision } from './decision-step.js';
export type { EngineCommand, EngineInput, OperatorInput, OperatorInputType } from './engine-input.js';
export {
  assertRunTransition,
  assertTaskTransition,
  canTransitionRun,
  canTransitionTask,
  FINAL_RUN_STATUSES,
  RUN_TRANSITIONS,
  SETTLED_TASK_STATUSES,
  TASK_TRANSITIONS,
  type RunStatus,
  type TaskStatus,
} from './lifecycle.js';
export type { ErrorInfo, RunRecord, TaskRecord } from './records.js';
export { createRunState } from './restore-run-state.js';
export { backoffDelay, resolveRetryPolicy, type ResolvedRetryPolicy } from './retry-backoff.js';
export type { NewRunEvent, RecoveryAction, RunDelta, RunEvent, RunEventType } from './run-event.js';
export { runMetrics, type ExecutionTraceEntry, type WorkflowExecutionMetrics } from './run-metrics.js';
export type { NodeEntry, RunState } from './run-state.js';
