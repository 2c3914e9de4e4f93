import {
  AgentError,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
  type SecretStore,
} from '@baton/core';
import { raceAbort, throwIfAborted } from '../abort.js';
import { EgressGuard, type HostResolver } from '../net/egress-guard.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import { readHttpSettings } from './http-settings.js';
import { interpretResponse } from './http-response.js';
import { postJson } from './post-json.js';

/** Options of `HttpAgentRuntime`; all of them are the operator's, never a definition's. */
export interface HttpAgentRuntimeOptions {
  /** Where `settings.auth.secret` is looked up. Defaults to an `EnvSecretStore` (`BATON_SECRET_<NAME>`). */
  secrets?: SecretStore;
  /**
   * Destinations allowed although loopback, private or link-local (see `EgressAllowList`). Kept out of the
   * definitions on purpose: whoever may write an agent must not be able to point it at the metadata service.
   */
  allow?: readonly string[];
  /** Resolves host names; the system resolver by default. */
  resolve?: HostResolver;
  /** Responses over this size are refused. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** The default cap on a response body. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Runs agents that are remote HTTP services (kind `http`; settings in `HttpAgentSettings`). Each attempt
 * POSTs the task input as JSON to `settings.endpoint` with `Idempotency-Key: <runId:taskKey:attempt>`, so a
 * service can make a recovered attempt harmless, and the auth header built from the named secret. The
 * endpoint passes the egress guard first, and the connection is pinned to the addresses it checked.
 *
 * Contract: the output is the JSON body of a 2xx answer and the cost the declared `costPerExecution`. 408,
 * 429, 5xx and connection failures reject with a retryable `AgentError`; other 4xx, redirects, a body that
 * is not JSON or over the size cap, and a missing secret with a non-retryable one; invalid settings with a
 * `DefinitionError`, a refused destination with a `ForbiddenError` (`details.reason` `EGRESS_DENIED`). The
 * invocation's signal bounds the whole call: when it fires the request is torn down and the call rejects
 * with the signal's reason.
 */
export class HttpAgentRuntime implements AgentRuntime {
  readonly kind = 'http';
  readonly #guard: EgressGuard;
  readonly #secrets: SecretStore;
  readonly #maxResponseBytes: number;

  constructor(options: HttpAgentRuntimeOptions = {}) {
    this.#guard = new EgressGuard({
      ...(options.allow === undefined ? {} : { allow: options.allow }),
      ...(options.resolve === undefined ? {} : { resolve: options.resolve }),
    });
    this.#secrets = options.secrets ?? new EnvSecretStore();
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  supports(agent: AgentDefinition): boolean {
    return agent.kind === 'http';
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    const { agent, signal } = invocation;
    throwIfAborted(signal);
    const settings = readHttpSettings(agent);
    const target = await raceAbort(this.#guard.check(settings.endpoint), signal);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'idempotency-key': invocation.idempotencyKey,
    };
    if (settings.auth) {
      const { secret, header, scheme } = settings.auth;
      const value = await raceAbort(this.#secrets.get(secret), signal);
      if (value === undefined) {
        throw new AgentError(
          `agent ${agent.id}@${agent.version} needs the secret "${secret}" (settings.auth.secret), ` +
            'which is not set',
          { retryable: false, details: { secret } },
        );
      }
      // Checked here so that neither the value nor a header-injection attempt reaches an error message.
      if (/[\r\n\0]/.test(value)) {
        throw new AgentError(
          `the secret "${secret}" holds a line break or NUL, which a header cannot carry`,
          {
            retryable: false,
            details: { secret },
          },
        );
      }
      headers[header.toLowerCase()] = scheme === '' ? value : `${scheme} ${value}`;
    }
    const response = await postJson({
      target,
      body: JSON.stringify(invocation.input),
      headers,
      signal,
      maxResponseBytes: this.#maxResponseBytes,
    });
    const callee = `agent ${agent.id}@${agent.version} (${target.url.origin}${target.url.pathname})`;
    return { output: interpretResponse(response, callee), costUsd: agent.performance.costPerExecution };
  }
}
