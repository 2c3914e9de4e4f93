import type { ErrorInfo } from '../execution/records.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { AgentNode, CapabilityQuery } from '../model/node-schema.js';
import type { AgentCatalog } from '../registry/agent-catalog.js';

/** The agent chosen for a task and why, or why none can be used. */
export type AgentResolution = { agent: AgentDefinition; reason?: string } | { error: ErrorInfo };

const notFound = (message: string): { error: ErrorInfo } => ({
  error: { code: 'NOT_FOUND', message, retryable: false },
});

/**
 * Picks the agent of an agent node at dispatch time: the pinned version, or the best match of a capability
 * query by its strategy and constraints, using declared performance. Offline agents are never chosen.
 */
export function resolveAgent(catalog: AgentCatalog, node: AgentNode): AgentResolution {
  if (node.agent) {
    const agent = catalog.resolve(node.agent);
    const wanted = `${node.agent.id}${node.agent.version ? `@${node.agent.version}` : ''}`;
    if (!agent)
      return notFound(`no agent "${wanted}" is registered; register it or fix the node's agent reference`);
    if (agent.status === 'offline')
      return notFound(`agent ${agent.id}@${agent.version} is offline and is not dispatched`);
    if (agent.status === 'deprecated') {
      const by = agent.replacedBy ? `; replaced by ${agent.replacedBy}` : '';
      return { agent, reason: `pinned to deprecated ${agent.id}@${agent.version}${by}` };
    }
    return { agent };
  }
  if (node.select) return select(catalog, node.select);
  return notFound('the agent node names neither an agent nor a capability query');
}

function select(catalog: AgentCatalog, query: CapabilityQuery): AgentResolution {
  const { constraints } = query;
  const all = catalog.candidates(query).filter((a) => a.status !== 'offline');
  const fit = all.filter(
    (a) =>
      (constraints?.maxCostUsd === undefined || a.performance.costPerExecution <= constraints.maxCostUsd) &&
      (constraints?.maxLatencyMs === undefined || a.performance.avgLatency <= constraints.maxLatencyMs) &&
      (constraints?.minSuccessRate === undefined || a.performance.successRate >= constraints.minSuccessRate),
  );
  const skills = query.skills.join(', ');
  if (fit.length === 0) {
    return notFound(
      all.length === 0
        ? `no agent offers ${skills}${query.domain ? ` in ${query.domain}` : ''}`
        : `${all.length} agent(s) offer ${skills} but none meets the node's constraints`,
    );
  }
  const score = scorer(query.strategy, fit);
  const best = fit.reduce((a, b) => (score(b) > score(a) ? b : a));
  return {
    agent: best,
    reason: `${query.strategy} of ${fit.length} candidate(s) for ${skills}: ${best.id}@${best.version} ($${best.performance.costPerExecution}, ${best.performance.avgLatency} ms, ${best.performance.successRate}% success)`,
  };
}

/** Higher is better. `balanced` weighs normalised cost, latency and success equally. */
function scorer(
  strategy: CapabilityQuery['strategy'],
  agents: AgentDefinition[],
): (a: AgentDefinition) => number {
  switch (strategy) {
    case 'cheapest':
      return (a) => -a.performance.costPerExecution;
    case 'fastest':
      return (a) => -a.performance.avgLatency;
    case 'most_reliable':
      return (a) => a.performance.successRate * 1000 + a.performance.reliability;
    case 'balanced': {
      const maxCost = Math.max(...agents.map((a) => a.performance.costPerExecution)) || 1;
      const maxLatency = Math.max(...agents.map((a) => a.performance.avgLatency)) || 1;
      return (a) =>
        1 -
        a.performance.costPerExecution / maxCost +
        (1 - a.performance.avgLatency / maxLatency) +
        a.performance.successRate / 100;
    }
  }
}

/**
 * The agents that may stand in for a node's agent when it is unavailable, best first: the node's `fallbacks`
 * in their order; else — a capability lookup — the agents that offer what the node asks for (its capability
 * query, or every skill of its agent in the same domain), most reliable first. Offline agents never stand in.
 */
export function alternativeAgents(
  catalog: AgentCatalog,
  node: AgentNode,
  primary: AgentDefinition | undefined,
): AgentDefinition[] {
  const usable = (a: AgentDefinition | undefined): a is AgentDefinition => !!a && a.status !== 'offline';
  if (node.fallbacks && node.fallbacks.length > 0) {
    return node.fallbacks.map((ref) => catalog.resolve(ref)).filter(usable);
  }
  const query =
    node.select ?? (primary && { domain: primary.capabilities.domain, skills: primary.capabilities.skills });
  if (!query || query.skills.length === 0) return [];
  return catalog
    .candidates(query)
    .filter((a) => usable(a) && a.id !== primary?.id)
    .sort(
      (a, b) =>
        b.performance.successRate - a.performance.successRate ||
        a.performance.costPerExecution - b.performance.costPerExecution ||
        (a.id < b.id ? -1 : 1),
    );
}
