export {
  createBaton,
  type Baton,
  type AgentFunction,
  type AgentRegistration,
  type AgentRegistry,
  type AgentSaveInput,
  type AgentUsage,
  type DeprecateOptions,
  type CreateBatonOptions,
  type RunDetails,
} from './create-baton.js';
export { startWorker, type StartWorkerOptions, type BatonWorker } from './start-worker.js';
export { type InfrastructureOptions } from './infrastructure.js';
export { SystemClock } from './system-clock.js';
export { TimeOrderedIds } from './time-ordered-ids.js';
export { builtinAgentDefinitions } from '@baton/agents';
export { withRegistrationTimes } from './agent-registry.js';
export { type RunControls, type ActOptions, type AgentBreaker } from './run-controls.js';
export { type AgentInsights, type AgentPerformanceReport } from './agent-insights.js';
export { type AgentImport, type AgentProbeReport, type ImportAgentOptions } from './agent-import.js';
export {
  type ApprovalQuery,
  type ApprovalsInbox,
  type PendingApproval,
  type PendingApprovalKind,
} from './approvals-inbox.js';
