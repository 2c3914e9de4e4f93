import semver from 'semver';
import type { Problem } from '../errors/errors.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { AgentRef, CapabilityQuery } from '../model/node-schema.js';
import type { Workflow } from '../model/workflow-schema.js';
import type { AgentCatalog } from '../registry/agent-catalog.js';
import { error, listOf, suggestion, warning } from './problem.js';
import { walkNodes } from './walk-nodes.js';

/** What checking the agent references of a workflow found. */
export interface AgentReferences {
  readonly problems: Problem[];
  /**
   * The agent each pinned agent node resolves to, by node path (`nodes[2]`), and each agent compensation, by
   * its path (`nodes[2].compensation`). Only filled with a catalog.
   */
  readonly resolved: ReadonlyMap<string, AgentDefinition>;
}

function label(agent: AgentDefinition): string {
  return `"${agent.id}@${agent.version}"`;
}

function matches(version: string, wanted: string): boolean {
  const exact = semver.valid(wanted);
  return exact === null ? semver.satisfies(version, wanted) : semver.eq(version, exact);
}

/** Problems of one agent reference; returns the definition it resolves to, if any. */
function checkRef(
  ref: AgentRef,
  path: string,
  catalog: AgentCatalog | undefined,
  problems: Problem[],
): AgentDefinition | undefined {
  const wanted = ref.version;
  if (wanted !== undefined && semver.valid(wanted) === null && semver.validRange(wanted) === null) {
    problems.push(
      error(
        'INVALID_VERSION_RANGE',
        `${path}.version`,
        `"${wanted}" is neither a version nor a version range: write "1.2.0", "^1.2.0" or "~1.2", or leave version out for the newest`,
      ),
    );
    return undefined;
  }
  if (!catalog) return undefined;
  if (!catalog.has(ref.id)) {
    const known = catalog.ids();
    const hint = known.length === 0 ? '; the catalog has no agents' : suggestion(ref.id, known);
    problems.push(error('UNKNOWN_AGENT', `${path}.id`, `unknown agent "${ref.id}"${hint}`));
    return undefined;
  }
  const versions = catalog.versions(ref.id);
  const agent = catalog.resolve(ref);
  const versionPath = wanted === undefined ? `${path}.id` : `${path}.version`;
  if (!agent) {
    const fitting = wanted === undefined ? versions : versions.filter((v) => matches(v.version, wanted));
    const which = wanted === undefined ? '' : ` matching "${wanted}"`;
    if (fitting.length > 0) {
      problems.push(
        error(
          'OFFLINE_AGENT',
          versionPath,
          `every version of agent "${ref.id}"${which} is offline (${fitting.map((v) => v.version).join(', ')}): pick another agent or bring one back online`,
        ),
      );
    } else {
      problems.push(
        error(
          'UNKNOWN_AGENT_VERSION',
          versionPath,
          `agent "${ref.id}" has no version${which}; available: ${versions.map((v) => v.version).join(', ')}`,
        ),
      );
    }
    return undefined;
  }
  if (agent.status === 'offline') {
    const usable = catalog.resolve({ id: ref.id });
    const instead = usable ? `: pin another version, e.g. "${usable.version}"` : ': pick another agent';
    problems.push(
      error(
        'OFFLINE_AGENT',
        versionPath,
        `agent ${label(agent)} is offline and is never dispatched${instead}`,
      ),
    );
  } else if (agent.status === 'deprecated') {
    const newer = versions.find((v) => v.status === 'active' || v.status === 'beta');
    const instead =
      agent.replacedBy !== undefined
        ? `; use "${agent.replacedBy}" instead`
        : newer && semver.gt(newer.version, agent.version)
          ? `; version ${newer.version} is ${newer.status}`
          : '';
    problems.push(warning('DEPRECATED_AGENT', versionPath, `agent ${label(agent)} is deprecated${instead}`));
  }
  return agent;
}

/** Why no agent answers a capability query, for the warning. */
function capabilityGap(query: CapabilityQuery, catalog: AgentCatalog): string {
  const inDomain = catalog
    .ids()
    .map((id) => catalog.resolve({ id }))
    .filter((a): a is AgentDefinition => a !== undefined)
    .filter((a) => query.domain === undefined || a.capabilities.domain === query.domain);
  const where = query.domain === undefined ? '' : ` in domain "${query.domain}"`;
  if (inDomain.length === 0) return `no agent${where} is available`;
  const skills = new Set(inDomain.flatMap((a) => a.capabilities.skills));
  const missing = query.skills.find((s) => !skills.has(s));
  if (missing !== undefined) return `no agent${where} has skill "${missing}"${suggestion(missing, skills)}`;
  const types = [...(query.inputTypes ?? []), ...(query.outputTypes ?? [])];
  const all = `all of the skills ${listOf(query.skills)}`;
  return `no agent${where} has ${all}${types.length > 0 ? ` and the input and output types ${listOf(types)}` : ''}`;
}

/**
 * Checks every agent reference (pinned agents, fallbacks, compensation agents) and capability query against
 * the catalog. Version syntax is checked even without a catalog; nothing else is.
 */
export function agentReferenceProblems(
  workflow: Workflow,
  catalog: AgentCatalog | undefined,
): AgentReferences {
  const problems: Problem[] = [];
  const resolved = new Map<string, AgentDefinition>();
  walkNodes(workflow.nodes, ({ node, path }) => {
    if (node.type === 'agent') {
      if (node.agent) {
        const agent = checkRef(node.agent, `${path}.agent`, catalog, problems);
        if (agent) resolved.set(path, agent);
      }
      node.fallbacks?.forEach((ref, i) => checkRef(ref, `${path}.fallbacks[${i}]`, catalog, problems));
      if (node.select && catalog && catalog.candidates(node.select).length === 0) {
        problems.push(
          warning(
            'NO_AGENT_FOR_CAPABILITY',
            `${path}.select`,
            `${capabilityGap(node.select, catalog)}, so node "${node.id}" would find no agent: register one or change the query`,
          ),
        );
      }
    }
    if (node.compensation?.type === 'agent') {
      const agent = checkRef(node.compensation.agent, `${path}.compensation.agent`, catalog, problems);
      if (agent) resolved.set(`${path}.compensation`, agent);
    }
  });
  return { problems, resolved };
}
