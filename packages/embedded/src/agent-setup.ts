import {
  AgentCatalog,
  parseAgentDefinition,
  type AgentDefinition,
  type AgentDefinitionInput,
  type AgentInvocation,
  type AgentRuntime,
} from '@baton/core';
import { BuiltinAgentRuntime, FunctionAgentRuntime, builtinAgentDefinitions } from '@baton/agents';

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
}

/** The built-in agents plus `agents`, with the built-in and function runtimes. */
export function createAgentSetup(agents: readonly AgentRegistration[] = []): AgentSetup {
  const catalog = new AgentCatalog(builtinAgentDefinitions());
  const functions = new FunctionAgentRuntime();
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
    runtimes: [new BuiltinAgentRuntime(), functions],
    register,
    generation: () => generation,
  };
}
