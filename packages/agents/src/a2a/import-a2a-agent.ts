import { AgentError, type AgentDefinition, type Domain } from '@baton/core';
import { guardedFetch } from '../net/guarded-fetch.js';
import { RemoteAccess, type RemoteAgentRuntimeOptions } from '../net/remote-access.js';
import { parseUntrustedJson } from '../net/untrusted-json.js';
import { agentCardToDefinition } from './agent-card.js';
import { agentCardUrl } from './a2a-settings.js';

/** Options of `importA2aAgent`: the mapping's choices, and the operator's reach (allow-list, secrets). */
export interface ImportA2aAgentOptions extends RemoteAgentRuntimeOptions {
  /** The agent id; by default a slug of the card's name. */
  id?: string | undefined;
  /** A secret sent as `Authorization: Bearer …`, on the card request too when it is set. */
  authSecret?: string | undefined;
  domain?: Domain | undefined;
  /** ISO time for `createdAt`/`updatedAt`; now by default. */
  now?: string | undefined;
  signal?: AbortSignal | undefined;
  /** A card larger than this is refused. Default 1 MiB. */
  maxCardBytes?: number | undefined;
}

/**
 * Reads an A2A agent card and maps it to a Baton definition (`agentCardToDefinition`); saves nothing. `url` is
 * the card's URL when its path ends in `.json`, else the agent's base URL: the card is read from
 * `.well-known/agent-card.json` under it, and when that answers 404 from the older `.well-known/agent.json`.
 * Every URL passes the egress guard. Rejects with the guard's `ForbiddenError`, a non-retryable `AgentError`
 * for an answer that is not 2xx or not JSON, or a `DefinitionError` for a card that is not one.
 */
export async function importA2aAgent(
  url: string,
  options: ImportA2aAgentOptions = {},
): Promise<AgentDefinition> {
  const access = new RemoteAccess(options);
  const headers: Record<string, string> = {};
  if (options.authSecret !== undefined) {
    // An unset secret is not an error here: the card is often public, and the secret set where runs happen.
    const token = await access.secrets.get(options.authSecret);
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  }
  const fetch = guardedFetch({
    guard: access.guard,
    headers,
    maxResponseBytes: options.maxCardBytes ?? 2 ** 20,
  });
  const init = {
    headers: { accept: 'application/json' },
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const first = agentCardUrl(url);
  let cardUrl = first;
  let response = await fetch(first, init);
  if (response.status === 404 && first !== new URL(url).href) {
    await response.arrayBuffer().catch(() => undefined);
    cardUrl = new URL('agent.json', first).href;
    response = await fetch(cardUrl, init);
  }
  if (!response.ok) {
    await response.arrayBuffer().catch(() => undefined);
    throw new AgentError(`no A2A agent card at ${cardUrl}: it answered ${response.status}`, {
      retryable: false,
      details: { status: response.status, url: cardUrl },
    });
  }
  let card: unknown;
  try {
    card = parseUntrustedJson(await response.text());
  } catch (error) {
    throw new AgentError(`the A2A agent card at ${cardUrl} is not JSON`, { retryable: false, cause: error });
  }
  return agentCardToDefinition(card, {
    cardUrl,
    id: options.id,
    authSecret: options.authSecret,
    domain: options.domain,
    now: options.now ?? new Date().toISOString(),
  });
}
