import semver from 'semver';
import type { AgentDefinition } from '../model/agent-schema.js';

/**
 * The registry's listing order, for `AgentStore.listAgents` and anything that lists agent versions: ids in
 * alphabetical order (by code unit), then each id's versions newest first by semantic version precedence.
 * Versions that differ only in build metadata, or that are not semantic versions, fall back to text order so
 * the order is total.
 */
export function compareAgents(
  a: Pick<AgentDefinition, 'id' | 'version'>,
  b: Pick<AgentDefinition, 'id' | 'version'>,
): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  const valid = semver.valid(a.version) !== null && semver.valid(b.version) !== null;
  const byPrecedence = valid ? semver.rcompare(a.version, b.version) : 0;
  if (byPrecedence !== 0) return byPrecedence;
  return a.version === b.version ? 0 : a.version < b.version ? 1 : -1;
}
