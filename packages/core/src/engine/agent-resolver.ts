import type { ErrorInfo } from '../execution/records.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { AgentNode, CapabilityQuery } from '../model/node-schema.js';
import type { AgentCatalog } from '../registry/agent-catalog.js';
import { effectivePerformance, type AgentMetrics } from '../registry/measured-performance.js';

/** The agent chosen for a task and why, or why none can be used. */
export type AgentResolution = { agent: AgentDefinition; reason?: string } | { error: ErrorInfo };

const notFound = (message: string): { error: ErrorInfo } => ({
  error: { code: 'NOT_FOUND', message, retryable: false },
});

/** What selection knows beyond the catalog: measured figures and which agents can take calls now. */
export interface SelectionFacts {
  /** The figures to judge an agent by: measured once there are enough samples, else declared. */
  performance?: (agent: AgentDefinition) => { figures: AgentDefinition['performance']; measured: number };
  /** False for an agent version whose circuit breaker is open. */
  available?: (agent: AgentDefinition) => boolean;
}

/**
 * Picks the agent of an agent node at dispatch time: the pinned version, or the best match of a capability
 * query by its strategy and constraints, judged by measured performance where there are enough samples and
 * declared performance otherwise. Offline agents, and agents whose circuit breaker is open, are never chosen
 * by a query.
 */
export function resolveAgent(
  catalog: AgentCatalog,
  node: AgentNode,
  facts: SelectionFacts = {},
): AgentResolution {
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
  if (node.select) return select(catalog, node.select, facts);
  return notFound('the agent node names neither an agent nor a capability query');
}

function select(catalog: AgentCatalog, query: CapabilityQuery, facts: SelectionFacts): AgentResolution {
  const { constraints } = query;
  const judged = (a: AgentDefinition) => facts.performance?.(a) ?? { figures: a.performance, measured: 0 };
  const all = catalog.candidates(query).filter((a) => a.status !== 'offline');
  const open = all.filter((a) => facts.available?.(a) === false);
  const usable = all.filter((a) => facts.available?.(a) !== false);
  const fit = usable.filter((a) => {
    const p = judged(a).figures;
    return (
      (constraints?.maxCostUsd === undefined || p.costPerExecution <= constraints.maxCostUsd) &&
      (constraints?.maxLatencyMs === undefined || p.avgLatency <= constraints.maxLatencyMs) &&
      (constraints?.minSuccessRate === undefined || p.successRate >= constraints.minSuccessRate)
    );
  });
  const skills = query.skills.join(', ');
  if (fit.length === 0) {
    const why =
      all.length === 0
        ? `no agent offers ${skills}${query.domain ? ` in ${query.domain}` : ''}`
        : usable.length === 0
          ? `the circuit breakers of every agent that offers ${skills} are open`
          : `${usable.length} agent(s) offer ${skills} but none meets the node's constraints`;
    return open.length > 0 && usable.length === 0
      ? { error: { code: 'CIRCUIT_OPEN', message: why, retryable: true } }
      : notFound(why);
  }
  const score = scorer(query.strategy, fit, (a) => judged(a).figures);
  const best = fit.reduce((a, b) => (score(b) > score(a) ? b : a));
  const { figures, measured } = judged(best);
  const basis = measured > 0 ? `measured over ${measured} executions` : 'declared';
  const passed = open.length > 0 ? `; passed over ${open.length} with an open circuit breaker` : '';
  return {
    agent: best,
    reason: `${query.strategy} of ${fit.length} candidate(s) for ${skills}: ${best.id}@${best.version} ($${round(figures.costPerExecution)}, ${Math.round(figures.avgLatency)} ms, ${round(figures.successRate)}% success, ${basis})${passed}`,
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** Higher is better. `balanced` weighs normalised cost, latency and success equally. */
function scorer(
  strategy: CapabilityQuery['strategy'],
  agents: AgentDefinition[],
  perf: (a: AgentDefinition) => AgentDefinition['performance'],
): (a: AgentDefinition) => number {
  switch (strategy) {
    case 'cheapest':
      return (a) => -perf(a).costPerExecution;
    case 'fastest':
      return (a) => -perf(a).avgLatency;
    case 'most_reliable':
      return (a) => perf(a).successRate * 1000 + perf(a).reliability;
    case 'balanced': {
      const maxCost = Math.max(...agents.map((a) => perf(a).costPerExecution)) || 1;
      const maxLatency = Math.max(...agents.map((a) => perf(a).avgLatency)) || 1;
      return (a) =>
        1 -
        perf(a).costPerExecution / maxCost +
        (1 - perf(a).avgLatency / maxLatency) +
        perf(a).successRate / 100;
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

/** Selection facts from an engine's measured performance and circuit breakers. */
export function selectionFacts(metrics: AgentMetrics, isOpen: (agent: string) => boolean): SelectionFacts {
  return {
    performance: (agent) => {
      const measured = metrics.performance(`${agent.id}@${agent.version}`);
      const figures = effectivePerformance(agent, measured);
      return { figures, measured: figures === agent.performance ? 0 : (measured?.samples ?? 0) };
    },
    available: (agent) => !isOpen(`${agent.id}@${agent.version}`),
  };
}
