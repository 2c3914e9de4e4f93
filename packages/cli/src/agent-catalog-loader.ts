import {
  AgentCatalog,
  validateAgentDefinition,
  type AgentDefinition,
  type PlanOptions,
  type Problem,
} from '@baton/core';
import { builtinAgentDefinitions } from '@baton/embedded';
import { readAgentDocuments } from './load-document.js';
import type { CliIo } from './io.js';

/** A catalog, or the problems of the agent files that kept it from loading. */
export type CatalogLoad =
  { ok: true; catalog: AgentCatalog } | { ok: false; problems: { file: string; problems: Problem[] }[] };

/** Loads the built-in agents (unless `builtin` is false) and every path of `--agents`. */
export async function loadAgentCatalog(
  io: CliIo,
  paths: readonly string[],
  builtin: boolean,
): Promise<CatalogLoad> {
  // A later source overrides an earlier definition of the same id@version (user files beat built-ins).
  const definitions = new Map<string, AgentDefinition>();
  const add = (agent: AgentDefinition): void => void definitions.set(`${agent.id}@${agent.version}`, agent);
  if (builtin) builtinAgentDefinitions().forEach(add);
  const failed: { file: string; problems: Problem[] }[] = [];
  for (const source of paths) {
    for (const { file, document } of await readAgentDocuments(source, io.cwd)) {
      const result = validateAgentDefinition(document);
      if (!result.agent || !result.ok) failed.push({ file, problems: result.problems });
      else add(result.agent);
    }
  }
  return failed.length > 0
    ? { ok: false, problems: failed }
    : { ok: true, catalog: new AgentCatalog(definitions.values()) };
}

/** The planner's view of the catalog: each pinned agent's declared latency and cost. */
export function declaredPerformance(catalog: AgentCatalog): NonNullable<PlanOptions['agentLookup']> {
  return (node) => {
    const agent = node.agent ? catalog.resolve(node.agent) : undefined;
    return agent
      ? { avgLatencyMs: agent.performance.avgLatency, costPerExecution: agent.performance.costPerExecution }
      : undefined;
  };
}
