import {
  AgentCatalog,
  parseAgentDefinition,
  type AgentDefinition,
  type AgentDefinitionInput,
  type AgentInvocation,
  type AgentRuntime,
} from '@baton/core';
import {
  A2aAgentRuntime,
  BuiltinAgentRuntime,
  EnvSecretStore,
  FunctionAgentRuntime,
  HttpAgentRuntime,
  LlmAgentRuntime,
  type LlmPrices,
  McpAgentRuntime,
  ScriptAgentRuntime,
  builtinAgentDefinitions,
  isSimulatedDefinition,
} from '@baton/agents';
import { WorkflowAgentRuntime } from './workflow-agent-runtime.js';
import { readWorkflowAgentSettings } from './workflow-agent-settings.js';

/** A TypeScript function used as an agent. */
export type AgentFunction = (input: Readonly<Record<string, unknown>>, ctx: AgentInvocation) => unknown;

/** An agent to register: a definition, or a definition with the TypeScript function that runs it. */
export type AgentRegistration =
  AgentDefinitionInput | { definition: AgentDefinitionInput; handler: AgentFunction };

/** The agents a process knows and the runtimes that run them. */
export interface AgentSetup {
  catalog: AgentCatalog;
  runtimes: readonly AgentRuntime[];
  /** The runtime of `workflow` agents, among `runtimes`: attach it to the engine once that exists. */
  workflows: WorkflowAgentRuntime;
  register: (definition: AgentDefinitionInput, handler?: AgentFunction) => AgentDefinition;
  /** Bumped on every registration: a workflow validated against an older catalog is validated again. */
  generation: () => number;
  /** Stops the script sandbox's worker threads, and the MCP servers' sessions and stdio processes. */
  close: () => Promise<void>;
}

/** How agents of the remote and code kinds may reach out. */
export interface AgentSetupOptions {
  /**
   * Destinations `http`, `llm`, `mcp` and `a2a` agents may call although they are loopback, private or
   * link-local addresses
   * (host names, addresses or CIDR blocks, optionally with a port). Default: `BATON_EGRESS_ALLOW`,
   * comma-separated.
   */
  egressAllow?: readonly string[];
  /**
   * Commands `mcp` agents may start as stdio servers, matched exactly; none by default, since each runs as
   * this process's user. Default: `BATON_MCP_STDIO_COMMANDS`, comma-separated.
   */
  mcpStdioCommands?: readonly string[];
  /**
   * This deployment's prices of `llm` models (USD per million input and output tokens, by model id): they win
   * over the built-in table; an agent's own `settings.pricing` wins over both.
   */
  llmPrices?: LlmPrices;
}

/** The built-in agents plus `agents`, with the built-in and function runtimes. */
export function createAgentSetup(
  agents: readonly AgentRegistration[] = [],
  options: AgentSetupOptions = {},
): AgentSetup {
  const catalog = new AgentCatalog(builtinAgentDefinitions());
  const functions = new FunctionAgentRuntime();
  const scripts = new ScriptAgentRuntime();
  const allow = egressAllowList(options);
  const secrets = new EnvSecretStore();
  const http = new HttpAgentRuntime({ allow, secrets });
  const llm = new LlmAgentRuntime({
    allow,
    secrets,
    ...(options.llmPrices ? { prices: options.llmPrices } : {}),
  });
  const stdioCommands = options.mcpStdioCommands ?? envList('BATON_MCP_STDIO_COMMANDS');
  const mcp = new McpAgentRuntime({ allow, secrets, stdioCommands });
  const a2a = new A2aAgentRuntime({ allow, secrets });
  const workflows = new WorkflowAgentRuntime();
  let generation = 0;
  const register = (definition: AgentDefinitionInput, handler?: AgentFunction): AgentDefinition => {
    const agent = parseAgentDefinition(definition);
    // Settings of the other kinds are checked when called; a workflow agent's name a workflow, checked now.
    if (agent.kind === 'workflow' && !isSimulatedDefinition(agent)) readWorkflowAgentSettings(agent);
    catalog.add(agent);
    generation++;
    if (handler) functions.register(agent.id, agent.version, handler);
    return agent;
  };
  for (const entry of agents) {
    if ('definition' in entry) register(entry.definition, entry.handler);
    else register(entry);
  }
  return {
    catalog,
    runtimes: [new BuiltinAgentRuntime(), functions, scripts, http, llm, mcp, a2a, workflows],
    workflows,
    register,
    generation: () => generation,
    close: async () => {
      await Promise.all([scripts.close(), llm.close(), mcp.close(), a2a.close()]);
    },
  };
}

/** The destinations agents may call although they are private addresses: the option, else `BATON_EGRESS_ALLOW`. */
export function egressAllowList(options: Pick<AgentSetupOptions, 'egressAllow'>): readonly string[] {
  return options.egressAllow ?? envList('BATON_EGRESS_ALLOW');
}

/** A comma-separated list from the environment. */
function envList(name: string): string[] {
  return (process.env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
