import {
  AgentCatalog,
  parseAgentDefinition,
  type AgentDefinition,
  type AgentDefinitionInput,
  type AgentInvocation,
  type AgentRuntime,
} from '@baton/core';
import {
  BuiltinAgentRuntime,
  FunctionAgentRuntime,
  HttpAgentRuntime,
  ScriptAgentRuntime,
  builtinAgentDefinitions,
} from '@baton/agents';

/** A TypeScript function used as an agent. */
export type AgentFunction = (input: Readonly<Record<string, unknown>>, ctx: AgentInvocation) => unknown;

/** An agent to register: a definition, or a definition with the TypeScript function that runs it. */
export type AgentRegistration =
  AgentDefinitionInput | { definition: AgentDefinitionInput; handler: AgentFunction };

/** The agents a process knows and the runtimes that run them. */
export interface AgentSetup {
  catalog: AgentCatalog;
  runtimes: readonly AgentRuntime[];
  register: (definition: AgentDefinitionInput, handler?: AgentFunction) => AgentDefinition;
  /** Bumped on every registration: a workflow validated against an older catalog is validated again. */
  generation: () => number;
  /** Stops the script sandbox's worker threads. */
  close: () => Promise<void>;
}

/** How agents of the remote and code kinds may reach out. */
export interface AgentSetupOptions {
  /**
   * Destinations `http` agents may call although they are loopback, private or link-local addresses (host
   * names, addresses or CIDR blocks, optionally with a port). Default: `BATON_EGRESS_ALLOW`, comma-separated.
   */
  egressAllow?: readonly string[];
}

/** The built-in agents plus `agents`, with the built-in and function runtimes. */
export function createAgentSetup(
  agents: readonly AgentRegistration[] = [],
  options: AgentSetupOptions = {},
): AgentSetup {
  const catalog = new AgentCatalog(builtinAgentDefinitions());
  const functions = new FunctionAgentRuntime();
  const scripts = new ScriptAgentRuntime();
  const allow =
    options.egressAllow ??
    (process.env['BATON_EGRESS_ALLOW'] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  const http = new HttpAgentRuntime({ allow });
  let generation = 0;
  const register = (definition: AgentDefinitionInput, handler?: AgentFunction): AgentDefinition => {
    const agent = parseAgentDefinition(definition);
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
    runtimes: [new BuiltinAgentRuntime(), functions, scripts, http],
    register,
    generation: () => generation,
    close: () => scripts.close(),
  };
}
