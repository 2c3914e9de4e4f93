import {
  AgentDefinitionSchema,
  AgentStatusSchema,
  ConflictError,
  DefinitionError,
  NotFoundError,
  parseAgentDefinition,
  type AgentCatalog,
  type AgentDefinition,
  type AgentDefinitionInput,
  type AgentExecution,
  type AgentRef,
  type AgentStatus,
  type AgentStore,
  type Clock,
  type Problem,
} from '@baton/core';
import type { AgentFunction } from './agent-setup.js';
import { withLifecycle, type Lifecycle } from './stored-agents.js';

/** How much one agent version was used: tasks dispatched to it, the runs they belong to, its last start or end. */
export interface AgentUsage {
  agent: string;
  tasks: number;
  runs: number;
  /** Ms since epoch; 0 when never started. */
  lastUsedAt: number;
}

/** An agent definition to save: the spec's `AgentDefinition`, whose `createdAt` and `updatedAt` default to now. */
export type AgentSaveInput = Omit<AgentDefinitionInput, 'createdAt' | 'updatedAt'> &
  Partial<Pick<AgentDefinitionInput, 'createdAt' | 'updatedAt'>>;

/** How an agent version is deprecated. */
export interface DeprecateOptions {
  /**
   * The agent to use instead, `id` or `id@version`: it must be in the catalog and not offline. Absent: the
   * replacement named before, if any, stays.
   */
  replacedBy?: string;
  /** When it was deprecated (default: now). */
  at?: Date | number;
}

/**
 * The persistent agent registry of a Baton (FR-019.1). Definitions saved here survive a restart and are in the
 * catalog of every Baton opened on the same store; a status change reaches a running engine at once (the next
 * dispatch sees it), and other processes sharing the store within `agentSyncMs` (stored-agents.ts).
 *
 * Agents defined in code (the built-in ones, `createBaton({ agents })`, `registerAgent`) keep their definition
 * and runtime; the registry keeps only their lifecycle (status, deprecation, replacement), which wins over the
 * code's on every open.
 */
export interface AgentRegistry {
  /**
   * Registers an agent in this process only (functions cannot be stored); with `handler`, a TypeScript function
   * that does its work. It fails with a `ConflictError` when that version is in the catalog already, saved ones
   * included. Agents that unfinished runs need after a restart belong in `createBaton({ agents })`.
   */
  registerAgent(definition: AgentDefinitionInput, handler?: AgentFunction): AgentDefinition;
  /**
   * Validates and saves an agent definition, and adds it to the catalog (replacing a saved one of that version).
   * `createdAt` and `updatedAt` default to now.
   */
  saveAgent(definition: AgentSaveInput): Promise<AgentDefinition>;
  /**
   * Saves several definitions: every one is validated (schemas, duplicates, replacements, versions defined in
   * code) before any is saved, so an invalid one leaves the registry as it was.
   */
  saveAgents(definitions: readonly AgentSaveInput[]): Promise<AgentDefinition[]>;
  /** Marks a version `deprecated`: runs pinned to it still run (their `agent.selected` says so). */
  deprecateAgent(ref: string | AgentRef, options?: DeprecateOptions): Promise<AgentDefinition>;
  /**
   * Sets a version's status. `active` and `beta` clear the deprecation; `offline` keeps it (an offline version
   * is never dispatched); `deprecated` stamps it now unless it was deprecated before.
   */
  setAgentStatus(ref: string | AgentRef, status: AgentStatus): Promise<AgentDefinition>;
  /** Per agent version ever dispatched: its tasks, runs and last use. */
  agentUsage(): Promise<AgentUsage[]>;
  /** The latest settled executions of one `id@version`, newest first (default at most 1,000). */
  agentExecutions(agent: string, limit?: number): Promise<AgentExecution[]>;
}

const keyOf = (agent: { id: string; version: string }): string => `${agent.id}@${agent.version}`;

/** What `agentRegistry` needs of the Baton it belongs to. */
export interface AgentRegistryDeps {
  store: AgentStore;
  catalog: AgentCatalog;
  clock: Clock;
  /** The in-memory registration of `agent-setup`. */
  register: (definition: AgentDefinitionInput, handler?: AgentFunction) => AgentDefinition;
  /** `id@version` of the agents defined in code, taken before the stored ones were loaded. */
  codeDefined: Set<string>;
}

/** The registry methods of a Baton, and a counter bumped on every catalog change they make. */
export function agentRegistry(deps: AgentRegistryDeps): {
  registry: AgentRegistry;
  generation: () => number;
} {
  const { store, catalog, clock, codeDefined } = deps;
  let generation = 0;
  const now = (): string => new Date(clock.now()).toISOString();

  const find = (ref: string | AgentRef): AgentDefinition => {
    const { id, version } = typeof ref === 'string' ? splitRef(ref) : ref;
    const label = `${id}@${version ?? ''}`;
    if (version === undefined || !AgentDefinitionSchema.shape.version.safeParse(version).success) {
      const message = `"${label}" does not name one agent version: write id@version, e.g. "acme.writer@1.2.0"`;
      throw new DefinitionError(message, [
        { code: 'INVALID_VALUE', path: 'agent', message, severity: 'error' },
      ]);
    }
    const agent = catalog.resolve({ id, version });
    if (!agent) throw new NotFoundError(`no agent ${label} is registered`, { details: { id, version } });
    return agent;
  };

  /** Throws unless `replacedBy` names an agent that can stand in for `agent` (in the catalog or `batch`). */
  const checkReplacement = (agent: AgentDefinition, replacedBy: string, batch: AgentDefinition[]): void => {
    const { id, version } = splitRef(replacedBy);
    const known = [...catalog.versions(id), ...batch.filter((a) => a.id === id)];
    const usable = known.filter(
      (a) => (version === undefined || a.version === version) && a.status !== 'offline',
    );
    const what = `agent ${keyOf(agent)} cannot be replaced by "${replacedBy}"`;
    if (id === agent.id && version === agent.version)
      throw new ConflictError(`${what}: an agent version cannot replace itself`);
    if (usable.length === 0) {
      const why = known.some((a) => version === undefined || a.version === version)
        ? 'it is offline'
        : 'no such agent is registered; register it first';
      throw new NotFoundError(`${what}: ${why}`, { details: { replacedBy } });
    }
  };

  const update = async (current: AgentDefinition, lifecycle: Lifecycle): Promise<AgentDefinition> => {
    const next = { ...withLifecycle(current, lifecycle), updatedAt: now() };
    // Stored first: if the store fails, the catalog still tells the truth about what survives a restart.
    await store.saveAgent(next);
    catalog.replace(next);
    generation++;
    return next;
  };

  const saveAgents = async (definitions: readonly AgentSaveInput[]): Promise<AgentDefinition[]> => {
    const agents = parseAll(definitions.map((d) => withRegistrationTimes(d, now())));
    const seen = new Set<string>();
    for (const agent of agents) {
      const key = keyOf(agent);
      if (seen.has(key)) throw new ConflictError(`agent ${key} is given twice; give each version once`);
      seen.add(key);
      if (codeDefined.has(key)) {
        throw new ConflictError(
          `agent ${key} is defined in code (built in, or given to createBaton); change its status with setAgentStatus or deprecateAgent, or save the change as a new version`,
        );
      }
      if (agent.replacedBy !== undefined) checkReplacement(agent, agent.replacedBy, agents);
    }
    for (const agent of agents) {
      await store.saveAgent(agent);
      catalog.replace(agent);
      generation++;
    }
    return agents;
  };

  const registry: AgentRegistry = {
    registerAgent(definition, handler) {
      const agent = deps.register(definition, handler);
      codeDefined.add(keyOf(agent));
      return agent;
    },
    saveAgent: async (definition) => (await saveAgents([definition]))[0]!,
    saveAgents,
    async deprecateAgent(ref, options = {}) {
      const current = find(ref);
      if (options.replacedBy !== undefined) checkReplacement(current, options.replacedBy, []);
      const replacedBy = options.replacedBy ?? current.replacedBy;
      const at = options.at === undefined ? clock.now() : Number(options.at);
      return update(current, {
        status: 'deprecated',
        deprecatedAt: new Date(at).toISOString(),
        ...(replacedBy === undefined ? {} : { replacedBy }),
      });
    },
    async setAgentStatus(ref, status) {
      const checked = AgentStatusSchema.safeParse(status);
      if (!checked.success) {
        const message = `"${String(status)}" is not an agent status: use ${AgentStatusSchema.options.join(', ')}`;
        throw new DefinitionError(message, [
          { code: 'INVALID_VALUE', path: 'status', message, severity: 'error' },
        ]);
      }
      const current = find(ref);
      const { deprecatedAt, replacedBy } = current;
      const kept = {
        ...(replacedBy === undefined ? {} : { replacedBy }),
        ...(deprecatedAt === undefined ? {} : { deprecatedAt }),
      };
      switch (checked.data) {
        case 'active':
        case 'beta':
          return update(current, { status: checked.data });
        case 'offline':
          return update(current, { status: 'offline', ...kept });
        case 'deprecated':
          return update(current, { ...kept, status: 'deprecated', deprecatedAt: deprecatedAt ?? now() });
      }
    },
    agentUsage: () => store.agentUsage(),
    agentExecutions: (agent, limit) => store.agentExecutions(agent, limit),
  };
  return { registry, generation: () => generation };
}

/** `id@version` or `id`, split. */
function splitRef(ref: string): { id: string; version?: string } {
  const at = ref.indexOf('@');
  return at < 0 ? { id: ref } : { id: ref.slice(0, at), version: ref.slice(at + 1) };
}

/**
 * A definition to save with `createdAt` and `updatedAt` set to `at` where it leaves them out: a registration
 * need not carry the bookkeeping the registry can do itself.
 */
export function withRegistrationTimes(definition: AgentSaveInput, at: string): AgentDefinitionInput {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    return definition as AgentDefinitionInput;
  return { ...definition, createdAt: definition.createdAt ?? at, updatedAt: definition.updatedAt ?? at };
}

/** Every definition parsed; one `DefinitionError` with every problem (paths prefixed `[i].`) when any is invalid. */
function parseAll(definitions: readonly AgentDefinitionInput[]): AgentDefinition[] {
  if (definitions.length === 1) return [parseAgentDefinition(definitions[0])];
  const agents: AgentDefinition[] = [];
  const problems: Problem[] = [];
  let invalid = 0;
  definitions.forEach((definition, i) => {
    try {
      agents.push(parseAgentDefinition(definition));
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      invalid++;
      problems.push(
        ...error.problems.map((p) => ({ ...p, path: p.path === '' ? `[${i}]` : `[${i}].${p.path}` })),
      );
    }
  });
  if (invalid > 0)
    throw new DefinitionError(`${invalid} of ${definitions.length} agent definitions are invalid`, problems);
  return agents;
}
