/** Agent runtimes that run in this process: the built-in agents, simulated agents, and TypeScript functions. */
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
