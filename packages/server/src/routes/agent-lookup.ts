import {
  ConflictError,
  NotFoundError,
  validateAgentDefinition,
  type AgentDefinition,
  type AgentDefinitionInput,
} from '@baton/core';
import type { Baton } from '@baton/embedded';
import type { AgentVersionParams } from '@baton/protocol';

/** `id@version` of an agent version. */
export const refOf = (agent: { id: string; version: string }): string => `${agent.id}@${agent.version}`;

/**
 * The catalog's agent version named by the path, exactly: a path names one version, never a range, so that a
 * change never lands on a version the caller did not name. `NotFoundError` when there is none.
 */
export function exactVersion(baton: Baton, { id, version }: AgentVersionParams): AgentDefinition {
  const versions = baton.catalog.versions(id);
  const agent = versions.find((v) => v.version === version);
  if (agent) return agent;
  const known = versions.length === 0 ? '' : ` (its versions: ${versions.map((v) => v.version).join(', ')})`;
  throw new NotFoundError(`no agent ${id}@${version} is registered${known}`, { details: { id, version } });
}

/**
 * Refuses (`ConflictError`) to register versions the catalog already holds: a registered version does not
 * change under the runs pinned to it by a plain POST. Checked only once every definition is valid, so that an
 * invalid batch is answered with all its problems (`DEFINITION_INVALID`) by the registry. Between this check
 * and the save another process may save the same version; the registry then keeps the later one, as `PUT`
 * would.
 */
export function refuseRegistered(baton: Baton, definitions: readonly AgentDefinitionInput[]): void {
  const parsed = definitions.map((d) => validateAgentDefinition(d).agent);
  if (parsed.some((agent) => agent === undefined)) return;
  const taken = parsed
    .filter((agent): agent is AgentDefinition => agent !== undefined)
    .filter((agent) => baton.catalog.versions(agent.id).some((v) => v.version === agent.version))
    .map(refOf);
  if (taken.length === 0) return;
  throw new ConflictError(
    `${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} registered already: register a new version, ` +
      'or replace a saved definition with PUT /api/v1/agents/<id>/versions/<version>; nothing was saved',
    { details: { agents: taken } },
  );
}
