/**
 * Agent runtimes: the built-in agents, simulated agents, TypeScript functions, HTTP services, scripts and
 * language models.
 */
export { BuiltinAgentRuntime, type BuiltinAgentRuntimeOptions } from './builtin/builtin-agent-runtime.js';
export { BUILTIN_AGENTS, BUILTIN_AGENT_IDS } from './builtin/builtin-agents.js';
export { builtinAgentDefinitions } from './builtin/builtin-definitions.js';
export { builtinAgent, type BuiltinAgent, type BuiltinAgentContext } from './builtin/builtin-agent.js';
export {
  InputFields,
  MAX_TEXT_LENGTH,
  invalidInput,
  type ListRules,
  type NumberRules,
  type StringRules,
} from './builtin/input-fields.js';
export { FunctionAgentRuntime, type AgentFunction } from './function/function-agent-runtime.js';
export {
  simulatedAgent,
  type OutputProducer,
  type SimulatedAgent,
  type SimulatedAgentOptions,
  type SimulatedAttempt,
} from './simulated/simulated-agent.js';
export {
  isSimulatedDefinition,
  readSimulatedConfig,
  type SimulatedAgentConfig,
} from './simulated/simulated-config.js';
export { meanLatency, sampleLatency, type LatencyDistribution } from './simulated/latency-distribution.js';
export { seededRandom } from './simulated/seeded-random.js';
export { abortError, abortableDelay, raceAbort, throwIfAborted } from './abort.js';
export {
  HttpAgentRuntime,
  DEFAULT_MAX_RESPONSE_BYTES,
  type HttpAgentRuntimeOptions,
} from './http/http-agent-runtime.js';
export { readHttpSettings, type HttpAgentSettings } from './http/http-settings.js';
export {
  LlmAgentRuntime,
  DEFAULT_LLM_MAX_RESPONSE_BYTES,
  type LlmAgentRuntimeOptions,
} from './llm/llm-agent-runtime.js';
export {
  readLlmSettings,
  LLM_PROVIDERS,
  type LlmAgentSettings,
  type LlmProvider,
} from './llm/llm-settings.js';
export { type StreamProgressOptions, type StreamProgressData } from './llm/stream-progress.js';
export { ScriptAgentRuntime, type ScriptAgentRuntimeOptions } from './script/script-agent-runtime.js';
export { readScriptSettings, SCRIPT_LIMITS, type ScriptAgentSettings } from './script/script-settings.js';
export {
  EgressGuard,
  EGRESS_DENIED,
  systemResolver,
  type EgressGuardOptions,
  type EgressTarget,
  type HostResolver,
} from './net/egress-guard.js';
export { EgressAllowList } from './net/egress-allow-list.js';
export { type RemoteAgentRuntimeOptions } from './net/remote-access.js';
export { blockedRange, type BlockedRange } from './net/ip-ranges.js';
export { type ResolvedAddress } from './net/pinned-lookup.js';
export { EnvSecretStore, SECRET_ENV_PREFIX } from './secrets/env-secret-store.js';
export { McpAgentRuntime, type McpAgentRuntimeOptions } from './mcp/mcp-agent-runtime.js';
export { readMcpSettings, type McpAgentSettings, type McpServerSettings } from './mcp/mcp-settings.js';
export { A2aAgentRuntime, type A2aAgentRuntimeOptions } from './a2a/a2a-agent-runtime.js';
export { readA2aSettings, type A2aAgentSettings } from './a2a/a2a-settings.js';
export { type A2aOutput, type A2aArtifact, type A2aPart } from './a2a/remote-task.js';
export {
  A2A_IMPORT_DEFAULTS,
  agentCardToDefinition,
  slugId,
  type AgentCardMapping,
} from './a2a/agent-card.js';
export { importA2aAgent, type ImportA2aAgentOptions } from './a2a/import-a2a-agent.js';
export { probeAgent, type ProbeOptions, type ProbeResult } from './net/probe.js';
export { DEFAULT_LLM_PRICES, type LlmPrice, type LlmPrices } from './llm/llm-prices.js';
export { readKindSettings, SIMULATION_SETTINGS } from './http/kind-settings.js';
