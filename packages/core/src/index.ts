export { BatonError, isBatonError, type BatonErrorOptions, type ErrorCode } from './errors/baton-error.js';
export {
  AgentError,
  CancelledError,
  ConflictError,
  DefinitionError,
  ExpressionError,
  ForbiddenError,
  InputRequiredError,
  NotFoundError,
  StorageError,
  TimeoutError,
  type Problem,
} from './errors/errors.js';
export {
  WorkflowSchema,
  type Workflow,
  type WorkflowInput,
  type Variable,
  type WorkflowOutput,
  type WorkflowPolicies,
} from './model/workflow-schema.js';
export {
  WorkflowNodeSchema,
  EdgeSchema,
  type AgentRef,
  type CapabilityQuery,
  type Compensation,
  type Edge,
  type WorkflowNode,
  type NodeType,
  type AgentNode,
  type ConditionalNode,
  type ParallelNode,
  type Branch,
  type LoopNode,
  type ApprovalNode,
  type TransformNode,
  type SubworkflowNode,
  type WaitNode,
  type EmitNode,
  type SubGraph,
} from './model/node-schema.js';
export {
  AgentDefinitionSchema,
  AgentStatusSchema,
  DomainSchema,
  type AgentDefinition,
  type AgentDefinitionInput,
  type AgentKind,
  type AgentStatus,
  type Domain,
} from './model/agent-schema.js';
export { type JsonSchema, type RetryPolicy, type Budget } from './model/common-schema.js';
export {
  buildWorkflowGraph,
  topologicalOrder,
  nodePorts,
  childScopes,
  DEFAULT_PORT,
  ERROR_PORT,
  type WorkflowGraph,
  type GraphNode,
  type GraphEdge,
  type Scope,
} from './model/workflow-graph.js';
export { workflowJsonSchema, agentDefinitionJsonSchema } from './model/json-schema.js';
export { type Clock } from './ports/clock.js';
export { fromNestedForm, isNestedForm } from './model/nested-form.js';
export { planWorkflow } from './plan/plan-workflow.js';
export { criticalPathRanks } from './plan/critical-path-ranks.js';
export {
  PLAN_DEFAULTS,
  type PlanOptions,
  type PlanMode,
  type PlanDefaults,
  type AgentLookup,
  type AgentPerformance,
  type BranchProbabilities,
} from './plan/plan-options.js';
export { type WorkflowPlan, type PlannedTask, type ExecutionStrategy } from './plan/workflow-plan.js';
export {
  compileExpression,
  evaluateExpression,
  expressionReferences,
  expressionFunctionNames,
  expressionFunctionSignatures,
  isTemplate,
  parseTemplate,
  templateExpressions,
  renderTemplate,
  resolveTemplates,
  didYouMean,
  DEFAULT_EXPRESSION_LIMITS,
  type CompiledExpression,
  type CompileOptions,
  type EvalOptions,
  type TemplatePart,
} from './expr/index.js';
export {
  validateWorkflow,
  parseWorkflow,
  type ValidateOptions,
  type ValidationResult,
} from './validate/validate-workflow.js';
export {
  validateAgentDefinition,
  parseAgentDefinition,
  type AgentValidationResult,
} from './validate/validate-agent.js';
export { PROBLEM_CODES, type ProblemCode } from './validate/problem.js';
export { AgentCatalog } from './registry/agent-catalog.js';
export { compareAgents } from './registry/compare-agents.js';
export {
  decide,
  createRunState,
  runMetrics,
  RUN_TRANSITIONS,
  TASK_TRANSITIONS,
  FINAL_RUN_STATUSES,
  SETTLED_TASK_STATUSES,
  canTransitionRun,
  canTransitionTask,
  assertRunTransition,
  assertTaskTransition,
  type DecideContext,
  type Decision,
  type RunState,
  type NodeEntry,
  type EngineInput,
  type EngineCommand,
  type OperatorInput,
  type OperatorInputType,
  type RunStatus,
  type TaskStatus,
  type ErrorInfo,
  type RunRecord,
  type TaskRecord,
  type RunEvent,
  type RunEventType,
  type RecoveryAction,
  type NewRunEvent,
  type RunDelta,
  type WorkflowExecutionMetrics,
  type ExecutionTraceEntry,
} from './execution/index.js';
export {
  INPUT_REPLY_KIND,
  inputReplyOf,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
  type InputReply,
} from './ports/agent-runtime.js';
export { type BlobStore } from './ports/blob-store.js';
export { type EventBus } from './ports/event-bus.js';
export { type IdSource } from './ports/id-source.js';
export { type Store, type StoredWorkflow, type RunQuery, type NewRun } from './ports/store.js';
export { type QueuedTask, type TaskQueue } from './ports/task-queue.js';
export { type SecretStore } from './ports/secret-store.js';
export {
  type CommandStore,
  type CommandResult,
  type CommandSettlement,
  type RunCommand,
  type RunControl,
  type SettledCommand,
} from './ports/command-store.js';
export { type BreakerRecord, type BreakerState, type BreakerStore } from './ports/breaker-store.js';
export { type AgentExecution, type AgentStore } from './ports/agent-store.js';
export {
  hasApprovalStore,
  openRequestCursor,
  openRequestFromRow,
  waitsForPerson,
  type ApprovalRequested,
  type ApprovalStore,
  type OpenRequest,
  type OpenRequestCursor,
  type OpenRequestQuery,
  type OpenRequestRow,
} from './ports/approval-store.js';
export {
  agentExecutionFromRow,
  breakerFromRow,
  commandFromRow,
  eventBody,
  eventFromRow,
  runFromRow,
  settledCommandFromRow,
  taskFromRow,
  workflowFromRow,
  type AgentExecutionRow,
  type BreakerRow,
  type CommandRow,
  type EventRow,
  type RunRow,
  type SettledCommandRow,
  type TaskRow,
  type WorkflowRow,
} from './ports/sql-rows.js';
export {
  type WorkSignal,
  type WorkQueue,
  type WorkHandler,
  type StopConsuming,
  type ConsumeOptions,
  type WorkFailure,
  type Nudges,
} from './ports/work-queue.js';
export {
  type WorkItem,
  type WorkClaim,
  type WorkOutcome,
  type WorkResult,
  type WorkStore,
} from './ports/work-store.js';
export { canonicalJson } from './model/canonical-json.js';
export { Engine } from './engine/engine.js';
export { FORKED_FROM_LABEL, FORK_AT_LABEL, downstreamOf, type ForkOptions } from './engine/fork.js';
export { STEP_THROUGH_LABEL } from './execution/step-through.js';
export { Worker, type WorkerOptions } from './engine/worker.js';
export { poolFor, type RemoteExecution } from './engine/remote-execution.js';
export {
  ORG_LABEL,
  type EngineOptions,
  type OrgLimits,
  type StartRunOptions,
} from './engine/engine-options.js';
export { LocalEventBus } from './engine/local-event-bus.js';
export { LocalTaskQueue, type QueueLimits } from './engine/local-task-queue.js';
export {
  resolveAgent,
  alternativeAgents,
  type AgentResolution,
  type SelectionFacts,
} from './engine/agent-resolver.js';
export {
  AgentMetrics,
  measure,
  effectivePerformance,
  MIN_SAMPLES,
  type MeasuredPerformance,
} from './registry/measured-performance.js';
export { searchAgents, type AgentQuery } from './registry/agent-search.js';
export {
  agentDependencies,
  deprecationImpact,
  type AgentDependencies,
  type AgentUse,
} from './registry/agent-dependencies.js';
export {
  CircuitBreakers,
  DEFAULT_BREAKER_POLICY,
  type AgentHealth,
  type BreakerChange,
  type BreakerPolicy,
} from './engine/circuit-breakers.js';
export { toErrorInfo } from './engine/error-info.js';
export {
  replayRun,
  type ReplayContext,
  type ReplayDivergence,
  type ReplayOptions,
  type ReplayResult,
  type ReplayStep,
} from './replay/replay-run.js';
