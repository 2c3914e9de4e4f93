import {
  NotFoundError,
  type AgentCatalog,
  type AgentDefinition,
  type AgentHealth,
  type BreakerState,
  type Domain,
  type Engine,
} from '@baton/core';
import { importA2aAgent, probeAgent, type ProbeResult } from '@baton/agents';
import { egressAllowList, type AgentSetupOptions } from './agent-setup.js';
import type { AgentRegistry } from './agent-registry.js';
import { runControls } from './run-controls.js';

/** Options of `importA2aAgent`. */
export interface ImportAgentOptions {
  /** The agent id; by default a slug of the card's name. */
  id?: string;
  /** A secret sent as `Authorization: Bearer …` (`settings.authSecret`), on the card request too when set. */
  authSecret?: string;
  /** The agent's domain; a card has none. Default `operations`. */
  domain?: Domain;
  /** Saves the definition in the registry (default `true`); `false` only reads and maps the card. */
  save?: boolean;
  signal?: AbortSignal;
}

/** A probe of one agent version, with what its circuit breaker says when it has seen calls. */
export interface AgentProbeReport extends ProbeResult {
  breaker?: { state: BreakerState; health: AgentHealth; failureRate: number };
}

/** Bringing remote agents into the registry, and looking at whether they answer. */
export interface AgentImport {
  /**
   * Reads an A2A agent card (the card's URL, or the agent's base URL: `.well-known/agent-card.json`, then the
   * older `agent.json`) through the egress guard, maps it to an `a2a` definition, and saves it through
   * `saveAgent` unless `save` is `false`. Declared performance is a conservative guess (`A2A_IMPORT_DEFAULTS`).
   * A malformed card rejects with a `DefinitionError`, and nothing is saved.
   */
  importA2aAgent(url: string, options?: ImportAgentOptions): Promise<AgentDefinition>;
  /**
   * Probes agents (`probeAgent`: a request that runs no task) and lays their circuit breakers over the result.
   * `refs` are ids (every version) or `id@version`; by default every agent in the catalog. Never rejects for
   * an agent that is down; an unknown ref rejects with `NotFoundError`.
   */
  probeAgents(refs?: readonly string[]): Promise<AgentProbeReport[]>;
}

/** The import and the probes, with the same egress allow-list the runtimes use. */
export function agentImport(
  registry: AgentRegistry,
  catalog: AgentCatalog,
  engine: Engine,
  options: AgentSetupOptions,
): AgentImport {
  const allow = egressAllowList(options);
  const pick = (refs: readonly string[] | undefined): AgentDefinition[] => {
    if (refs === undefined) return catalog.list();
    return refs.flatMap((ref) => {
      const at = ref.lastIndexOf('@');
      const found =
        at > 0
          ? [catalog.resolve({ id: ref.slice(0, at), version: ref.slice(at + 1) })]
          : catalog.versions(ref);
      const agents = found.filter((a): a is AgentDefinition => a !== undefined);
      if (agents.length === 0) throw new NotFoundError(`no agent "${ref}" in the catalog`);
      return agents;
    });
  };
  return {
    async importA2aAgent(url, { save = true, ...mapping } = {}) {
      const definition = await importA2aAgent(url, { allow, ...mapping });
      return save ? registry.saveAgent(definition) : definition;
    },
    async probeAgents(refs) {
      const agents = pick(refs);
      const breakers = new Map(
        runControls(engine)
          .agentHealth()
          .map((b) => [b.agent, b]),
      );
      return Promise.all(
        agents.map(async (agent): Promise<AgentProbeReport> => {
          const probe = await probeAgent(agent, { allow });
          const breaker = breakers.get(probe.agent);
          if (!breaker) return probe;
          const { state, health, failureRate } = breaker;
          return { ...probe, breaker: { state, health, failureRate } };
        }),
      );
    },
  };
}
