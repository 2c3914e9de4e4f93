import { isDeepStrictEqual } from 'node:util';
import { AgentDefinitionSchema, type AgentCatalog, type AgentDefinition, type AgentStore } from '@baton/core';

/** What the registry records of an operator's decisions on a version. */
export type Lifecycle = Pick<AgentDefinition, 'status' | 'deprecatedAt' | 'replacedBy'>;

/** How often a process takes in what other processes saved to the agent registry, by default. */
export const AGENT_SYNC_MS = 2_000;

const keyOf = (agent: { id: string; version: string }): string => `${agent.id}@${agent.version}`;

/**
 * Puts the stored definitions into a catalog holding the agents defined in code. A stored version that code
 * also defines keeps the code's definition — its runtime, settings and schemas ship with the code, and a newer
 * release may correct them — with the stored lifecycle laid over it, since that records an operator's decision.
 */
export async function loadStoredAgents(store: AgentStore, catalog: AgentCatalog): Promise<void> {
  await syncStoredAgents(store, catalog, new Set(catalog.list().map(keyOf)));
}

/**
 * Brings a catalog up to date with the store, as `loadStoredAgents` loaded it: definitions and lifecycle
 * changes saved since — by another process too — replace what the catalog holds. `codeDefined` are the
 * versions whose definition the code gives (only their lifecycle is taken from the store). Returns how many
 * versions changed.
 */
export async function syncStoredAgents(
  store: AgentStore,
  catalog: AgentCatalog,
  codeDefined: ReadonlySet<string>,
): Promise<number> {
  let changed = 0;
  for (const stored of await store.listAgents()) {
    // Parsed again so that fields a newer schema added get their defaults; kept as stored if it no longer fits.
    const parsed = AgentDefinitionSchema.safeParse(stored);
    const agent = parsed.success ? parsed.data : stored;
    const current = catalog.resolve({ id: agent.id, version: agent.version });
    const next = current && codeDefined.has(keyOf(agent)) ? withLifecycle(current, agent) : agent;
    if (current && isDeepStrictEqual(current, next)) continue;
    catalog.replace(next);
    changed++;
  }
  return changed;
}

/**
 * Keeps a catalog in step with the store while a process runs: what other processes sharing the store register,
 * deprecate or take offline reaches this one within `intervalMs`, and at once when it asks (`refresh`), as a
 * worker does for an agent it does not know.
 */
export class StoredAgentSync {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<number> | undefined;

  constructor(
    private readonly store: AgentStore,
    private readonly catalog: AgentCatalog,
    private readonly codeDefined: ReadonlySet<string>,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Syncs now; concurrent calls share one pass. */
  refresh(): Promise<number> {
    this.#running ??= syncStoredAgents(this.store, this.catalog, this.codeDefined)
      .then((changed) => {
        if (changed > 0) this.onChange();
        return changed;
      })
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Syncs every `intervalMs` until `stop`; a failed pass (the store briefly unreachable) is tried again. */
  start(intervalMs: number, onError: (error: unknown) => void = () => undefined): void {
    this.#timer = setInterval(() => void this.refresh().catch(onError), intervalMs);
    // A process that has nothing else to do must still be able to exit.
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }
}

/** `base` with the status, deprecation and replacement of `from` (absent there: absent here). */
export function withLifecycle(base: AgentDefinition, from: Lifecycle): AgentDefinition {
  const next: AgentDefinition = { ...base, status: from.status };
  delete next.deprecatedAt;
  delete next.replacedBy;
  if (from.deprecatedAt !== undefined) next.deprecatedAt = from.deprecatedAt;
  if (from.replacedBy !== undefined) next.replacedBy = from.replacedBy;
  return next;
}
