import {
  agentDependencies,
  deprecationImpact,
  effectivePerformance,
  NotFoundError,
  searchAgents,
  type AgentCatalog,
  type AgentDefinition,
  type AgentDependencies,
  type AgentQuery,
  type AgentUse,
  type Engine,
  type MeasuredPerformance,
  type Store,
  type Workflow,
} from '@baton/core';

/** An agent version's figures: what it declares, what its executions show, and which selection goes by. */
export interface AgentPerformanceReport {
  agent: string;
  declared: AgentDefinition['performance'];
  measured?: MeasuredPerformance;
  /** `measured` once there are enough executions (20), `declared` until then. */
  judgedBy: 'measured' | 'declared';
}

/** What the registry knows about agents beyond their definitions. */
export interface AgentInsights {
  /** Catalog search; cost, latency and success ranges are judged as selection judges them. */
  searchAgents(query: AgentQuery): AgentDefinition[];
  agentPerformance(ref: string): AgentPerformanceReport;
  /** What the agent version needs (secrets, tools, endpoints) and which saved workflow versions call it. */
  agentDependencies(ref: string): Promise<AgentDependencies>;
  /** What deprecating it would touch: pinned uses, and capability queries that move to the next best agent. */
  deprecationImpact(ref: string): Promise<{ pinned: AgentUse[]; reselected: AgentUse[] }>;
}

export function agentInsights(engine: Engine, store: Store, catalog: AgentCatalog): AgentInsights {
  const find = (ref: string): AgentDefinition => {
    const at = ref.lastIndexOf('@');
    const agent =
      at > 0
        ? catalog.resolve({ id: ref.slice(0, at), version: ref.slice(at + 1) })
        : catalog.resolve({ id: ref });
    if (!agent) throw new NotFoundError(`no agent "${ref}" in the catalog`);
    return agent;
  };
  const judged = (agent: AgentDefinition): AgentDefinition['performance'] =>
    effectivePerformance(agent, engine.metrics.performance(`${agent.id}@${agent.version}`));
  const workflows = async (): Promise<Workflow[]> => (await store.listWorkflows()).map((w) => w.workflow);
  return {
    searchAgents: (query) => searchAgents(catalog, query, judged),
    agentPerformance(ref) {
      const agent = find(ref);
      const measured = engine.metrics.performance(`${agent.id}@${agent.version}`);
      return {
        agent: `${agent.id}@${agent.version}`,
        declared: agent.performance,
        ...(measured ? { measured } : {}),
        judgedBy: judged(agent) === agent.performance ? 'declared' : 'measured',
      };
    },
    agentDependencies: async (ref) => agentDependencies(find(ref), await workflows(), catalog),
    deprecationImpact: async (ref) => deprecationImpact(find(ref), await workflows(), catalog),
  };
}
