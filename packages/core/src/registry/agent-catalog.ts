import semver from 'semver';
import { ConflictError, DefinitionError } from '../errors/errors.js';
import type { AgentDefinition } from '../model/agent-schema.js';
import type { AgentRef, CapabilityQuery } from '../model/node-schema.js';

function usable(agent: AgentDefinition): boolean {
  return agent.status !== 'offline';
}

function current(agent: AgentDefinition): boolean {
  return agent.status === 'active' || agent.status === 'beta';
}

/**
 * The agent definitions a workflow may call, every version of each, held in memory. Validation uses it to
 * check agent references; the engine uses it to resolve a node's agent when a task is dispatched. It holds
 * plain definitions and does no I/O: load it from the store, then ask it.
 */
export class AgentCatalog {
  /** Versions of each agent id, newest first. */
  readonly #byId = new Map<string, AgentDefinition[]>();

  constructor(agents: Iterable<AgentDefinition> = []) {
    for (const agent of agents) this.add(agent);
  }

  /**
   * Adds one version of an agent. Throws `ConflictError` when that id and version are already present, and
   * `DefinitionError` when the version is not a semantic version (pass parsed definitions).
   */
  add(agent: AgentDefinition): void {
    if (semver.valid(agent.version) === null) {
      const message = `"${agent.version}" is not a semantic version such as "1.2.0"`;
      throw new DefinitionError(`agent "${agent.id}" is invalid: ${message}`, [
        { code: 'INVALID_VALUE', path: 'version', message, severity: 'error' },
      ]);
    }
    const versions = this.#byId.get(agent.id) ?? [];
    if (versions.some((v) => semver.eq(v.version, agent.version))) {
      throw new ConflictError(`agent "${agent.id}@${agent.version}" is already in the catalog`, {
        details: { id: agent.id, version: agent.version },
      });
    }
    versions.push(agent);
    versions.sort((a, b) => semver.rcompare(a.version, b.version));
    this.#byId.set(agent.id, versions);
  }

  /**
   * Puts one version of an agent in the catalog, replacing the definition of the same id and version when
   * there is one (a status change, a deprecation, a definition saved again), and returns the one it replaced.
   * Throws `DefinitionError` when the version is not a semantic version, as `add` does.
   */
  replace(agent: AgentDefinition): AgentDefinition | undefined {
    const versions = this.#byId.get(agent.id) ?? [];
    const index =
      semver.valid(agent.version) === null
        ? -1
        : versions.findIndex((v) => semver.eq(v.version, agent.version));
    if (index < 0) {
      this.add(agent);
      return undefined;
    }
    const replaced = versions[index];
    // Same version, so the newest-first order holds.
    versions[index] = agent;
    return replaced;
  }

  /** Every version of every agent: ids in alphabetical order, each id's versions newest first. */
  list(): AgentDefinition[] {
    return this.ids().flatMap((id) => this.versions(id));
  }

  /** The versions of one agent, newest first; empty when the id is unknown. */
  versions(id: string): AgentDefinition[] {
    return [...(this.#byId.get(id) ?? [])];
  }

  /** Whether any version of the agent exists, whatever its status. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Every agent id, in alphabetical order. */
  ids(): string[] {
    return [...this.#byId.keys()].sort();
  }

  /**
   * The definition a reference names, or undefined when none fits:
   * - an exact version (`"1.2.0"`) names that version, whatever its status — callers check `status`;
   * - a range (`"^1.2.0"`) names the highest satisfying version that is not offline;
   * - no version names the newest active or beta version, else the newest deprecated one; never an offline one.
   * A version that is neither a semantic version nor a range names nothing.
   */
  resolve(ref: AgentRef): AgentDefinition | undefined {
    const versions = this.#byId.get(ref.id) ?? [];
    if (ref.version === undefined) return versions.find(current) ?? versions.find(usable);
    const exact = semver.valid(ref.version);
    if (exact !== null) return versions.find((v) => semver.eq(v.version, exact));
    if (semver.validRange(ref.version) === null) return undefined;
    const candidates = versions.filter(usable);
    const best = semver.maxSatisfying(
      candidates.map((v) => v.version),
      ref.version,
    );
    return best === null ? undefined : candidates.find((v) => v.version === best);
  }

  /**
   * For each agent that can answer a capability query, the version a pinned reference without a version would
   * get: same domain (when the query names one), every skill, every input and output type. Performance
   * constraints and the selection strategy are the dispatcher's business, not the catalog's.
   */
  candidates(
    query: Pick<CapabilityQuery, 'domain' | 'skills' | 'inputTypes' | 'outputTypes'>,
  ): AgentDefinition[] {
    const matches: AgentDefinition[] = [];
    for (const id of this.ids()) {
      const agent = this.resolve({ id });
      if (!agent) continue;
      const { domain, skills, inputTypes, outputTypes } = agent.capabilities;
      if (query.domain !== undefined && query.domain !== domain) continue;
      if (!query.skills.every((s) => skills.includes(s))) continue;
      if (!(query.inputTypes ?? []).every((t) => inputTypes.includes(t))) continue;
      if (!(query.outputTypes ?? []).every((t) => outputTypes.includes(t))) continue;
      matches.push(agent);
    }
    return matches;
  }
}
