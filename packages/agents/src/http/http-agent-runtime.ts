import type { AgentDefinition, AgentInvocation, AgentResult, AgentRuntime } from '@baton/core';
import { raceAbort, throwIfAborted } from '../abort.js';
import { RemoteAccess, type RemoteAgentRuntimeOptions } from '../net/remote-access.js';
import { readHttpSettings } from './http-settings.js';
import { interpretResponse } from './http-response.js';
import { postJson } from './post-json.js';

/** Options of `HttpAgentRuntime`; all of them are the operator's, never a definition's. */
export interface HttpAgentRuntimeOptions extends RemoteAgentRuntimeOptions {
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
  readonly #access: RemoteAccess;
  readonly #maxResponseBytes: number;

  constructor(options: HttpAgentRuntimeOptions = {}) {
    this.#access = new RemoteAccess(options);
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  supports(agent: AgentDefinition): boolean {
    return agent.kind === 'http';
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    const { agent, signal } = invocation;
    throwIfAborted(signal);
    const settings = readHttpSettings(agent);
    const target = await raceAbort(this.#access.guard.check(settings.endpoint), signal);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'idempotency-key': invocation.idempotencyKey,
    };
    const who = `agent ${agent.id}@${agent.version}`;
    if (settings.auth) {
      const { secret, header, scheme } = settings.auth;
      const value = await this.#access.secret(secret, 'settings.auth.secret', who, signal);
      headers[header.toLowerCase()] = scheme === '' ? value : `${scheme} ${value}`;
    }
    const response = await postJson({
      target,
      body: JSON.stringify(invocation.input),
      headers,
      signal,
      maxResponseBytes: this.#maxResponseBytes,
    });
    const callee = `${who} (${target.url.origin}${target.url.pathname})`;
    return { output: interpretResponse(response, callee), costUsd: agent.performance.costPerExecution };
  }
}
