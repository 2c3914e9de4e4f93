export { BatonError, isBatonError, type BatonErrorOptions, type ErrorCode } from './errors/baton-error.js';
export {
  AgentError,
  CancelledError,
  ConflictError,
  DefinitionError,
  ExpressionError,
  ForbiddenError,
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
