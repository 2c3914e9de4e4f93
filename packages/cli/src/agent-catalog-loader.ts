import { fileURLToPath } from 'node:url';
import { AgentCatalog, validateAgentDefinition, type AgentDefinition, type Problem } from '@baton/core';
import { readAgentDocuments } from './load-document.js';
import type { CliIo } from './io.js';

/** The definitions of the built-in agents the templates use; `BATON_AGENTS_DIR` points elsewhere. */
export function builtinAgentsDir(io: CliIo): string {
  return io.env['BATON_AGENTS_DIR'] ?? fileURLToPath(new URL('../../../templates/agents', import.meta.url));
}

/** A catalog, or the problems of the agent files that kept it from loading. */
export type CatalogLoad =
  { ok: true; catalog: AgentCatalog } | { ok: false; problems: { file: string; problems: Problem[] }[] };

/** Loads the built-in agents (unless `builtin` is false) and every path of `--agents`. */
export async function loadAgentCatalog(
  io: CliIo,
  paths: readonly string[],
  builtin: boolean,
): Promise<CatalogLoad> {
  const sources = [...(builtin ? [builtinAgentsDir(io)] : []), ...paths];
  // A later source overrides an earlier definition of the same id@version (user files beat built-ins).
  const definitions = new Map<string, AgentDefinition>();
  const failed: { file: string; problems: Problem[] }[] = [];
  for (const source of sources) {
    for (const { file, document } of await readAgentDocuments(source, io.cwd)) {
      const result = validateAgentDefinition(document);
      if (!result.agent || !result.ok) {
        failed.push({ file, problems: result.problems });
        continue;
      }
      definitions.set(`${result.agent.id}@${result.agent.version}`, result.agent);
    }
  }
  return failed.length > 0
    ? { ok: false, problems: failed }
    : { ok: true, catalog: new AgentCatalog(definitions.values()) };
}
