import { readdirSync, readFileSync } from 'node:fs';
import { parseAgentDefinition, type AgentDefinition } from '@baton/core';

/** The package's `definitions/` folder; the same from `src/` (tests) and `dist/` (the build). */
const DEFINITIONS_DIR = new URL('../../definitions/', import.meta.url);

let cached: readonly AgentDefinition[] | undefined;

/**
 * The definitions of the built-in agents (`definitions/<id>.json` in this package): names, capabilities,
 * declared performance and input/output schemas. Their implementations are `BUILTIN_AGENTS`, paired by id and
 * major version. Read once; a broken file is a `DefinitionError` naming it.
 */
export function builtinAgentDefinitions(): readonly AgentDefinition[] {
  if (cached) return cached;
  cached = readdirSync(DEFINITIONS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const text = readFileSync(new URL(name, DEFINITIONS_DIR), 'utf8');
      try {
        return parseAgentDefinition(JSON.parse(text));
      } catch (error) {
        throw new Error(`built-in agent definition ${name} is broken: ${(error as Error).message}`, {
          cause: error,
        });
      }
    });
  return cached;
}
