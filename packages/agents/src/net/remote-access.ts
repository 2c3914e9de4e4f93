import { AgentError, type SecretStore } from '@baton/core';
import { raceAbort } from '../abort.js';
import { EnvSecretStore } from '../secrets/env-secret-store.js';
import { EgressGuard, type HostResolver } from './egress-guard.js';
import { isSafeHeaderValue } from './remote-settings.js';

/**
 * The options every runtime of a remote kind takes (`http`, `llm`, `mcp`, `a2a`): the operator's, never a
 * definition's.
 */
export interface RemoteAgentRuntimeOptions {
  /** Where the secrets named in the settings are looked up; an `EnvSecretStore` by default. */
  secrets?: SecretStore;
  /**
   * Destinations allowed although loopback, private or link-local (see `EgressAllowList`). Kept out of the
   * definitions on purpose: whoever may write an agent must not be able to point it at the metadata service.
   */
  allow?: readonly string[];
  /** Resolves host names; the system resolver by default. */
  resolve?: HostResolver;
}

/**
 * What a runtime of a remote kind reaches a service with: the egress guard every URL passes, and the secrets
 * its credentials come from.
 */
export class RemoteAccess {
  readonly guard: EgressGuard;
  readonly secrets: SecretStore;

  constructor(options: RemoteAgentRuntimeOptions) {
    this.guard = new EgressGuard(options);
    this.secrets = options.secrets ?? new EnvSecretStore();
  }

  /**
   * The value of the secret `name`, which the settings field `field` names, to be sent in a header. Rejects
   * with a non-retryable `AgentError` (`details.secret`) when it is not set or holds a line break or NUL, and
   * with the abort error when `signal` fires. `callee` says who needs it (`agent acme.scorer@1.0.0`).
   */
  async secret(name: string, field: string, callee: string, signal: AbortSignal): Promise<string> {
    const value = await raceAbort(this.secrets.get(name), signal);
    if (value === undefined) {
      throw new AgentError(`${callee} needs the secret "${name}" (${field}), which is not set`, {
        retryable: false,
        details: { secret: name },
      });
    }
    // Checked here so that neither the value nor a header-injection attempt reaches an error message.
    if (!isSafeHeaderValue(value)) {
      throw new AgentError(`the secret "${name}" holds a line break or NUL, which a header cannot carry`, {
        retryable: false,
        details: { secret: name },
      });
    }
    return value;
  }
}
