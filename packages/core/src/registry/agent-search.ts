import type { AgentDefinition, AgentStatus, Domain } from '../model/agent-schema.js';
import type { AgentCatalog } from './agent-catalog.js';

/** Filters of a catalog search; every one given must hold. */
export interface AgentQuery {
  /** Words that must each appear in the id, name, description or skills (case-insensitive). */
  text?: string;
  domain?: Domain;
  /** Skills the agent must all offer. */
  skills?: readonly string[];
  inputType?: string;
  outputType?: string;
  /** Default: every status but `offline`. */
  status?: readonly AgentStatus[];
  kind?: AgentDefinition['kind'];
  /** Ranges over the figures selection judges agents by (measured where there are enough samples). */
  costUsd?: { min?: number; max?: number };
  latencyMs?: { min?: number; max?: number };
  minSuccessRate?: number;
  /** Every version of each agent instead of the one a reference without a version resolves to. */
  allVersions?: boolean;
  limit?: number;
}

/** Searches the catalog: matching agents, best text match first, then by id. */
export function searchAgents(
  catalog: AgentCatalog,
  query: AgentQuery,
  performance: (agent: AgentDefinition) => AgentDefinition['performance'] = (a) => a.performance,
): AgentDefinition[] {
  const words = (query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const statuses = new Set<AgentStatus>(query.status ?? ['active', 'beta', 'deprecated']);
  const agents = query.allVersions ? catalog.list() : newest(catalog, statuses);
  const scored: [AgentDefinition, number][] = [];
  for (const agent of agents) {
    if (!statuses.has(agent.status)) continue;
    const { capabilities } = agent;
    if (query.domain !== undefined && capabilities.domain !== query.domain) continue;
    if (query.kind !== undefined && agent.kind !== query.kind) continue;
    if (!(query.skills ?? []).every((s) => capabilities.skills.includes(s))) continue;
    if (query.inputType !== undefined && !capabilities.inputTypes.includes(query.inputType)) continue;
    if (query.outputType !== undefined && !capabilities.outputTypes.includes(query.outputType)) continue;
    const p = performance(agent);
    if (!within(p.costPerExecution, query.costUsd) || !within(p.avgLatency, query.latencyMs)) continue;
    if (query.minSuccessRate !== undefined && p.successRate < query.minSuccessRate) continue;
    const score = textScore(agent, words);
    if (score > 0 || words.length === 0) scored.push([agent, score]);
  }
  scored.sort(([a, sa], [b, sb]) => sb - sa || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const found = scored.map(([agent]) => agent);
  return query.limit === undefined ? found : found.slice(0, query.limit);
}

/** Per id, the newest version whose status is wanted. */
function newest(catalog: AgentCatalog, statuses: ReadonlySet<AgentStatus>): AgentDefinition[] {
  return catalog.ids().flatMap((id) => catalog.versions(id).find((v) => statuses.has(v.status)) ?? []);
}

function within(value: number, range: { min?: number; max?: number } | undefined): boolean {
  return (
    !range ||
    ((range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max))
  );
}

/** 0 when a word is missing; otherwise higher for matches in the id and name than in the description. */
function textScore(agent: AgentDefinition, words: readonly string[]): number {
  if (words.length === 0) return 0;
  const fields: [string, number][] = [
    [agent.id.toLowerCase(), 4],
    [agent.name.toLowerCase(), 3],
    [agent.capabilities.skills.join(' ').toLowerCase(), 2],
    [agent.description.toLowerCase(), 1],
  ];
  let score = 0;
  for (const word of words) {
    const best = Math.max(...fields.map(([text, weight]) => (text.includes(word) ? weight : 0)));
    if (best === 0) return 0;
    score += best;
  }
  return score;
}
