import { AgentError } from '@baton/core';
import { SECRET_ENV_PREFIX } from '../secrets/env-secret-store.js';
import { DEFAULT_BASE_URLS, type LlmAgentSettings, type LlmProvider } from './llm-settings.js';

/** The providers that refuse every request without a key, so that an agent without `apiKeySecret` cannot run. */
const KEYED_PROVIDERS: readonly LlmProvider[] = ['openai', 'anthropic'];

/**
 * The base URL an agent calls: `settings.baseURL`, else its provider's public endpoint. Rejects with a
 * non-retryable `AgentError` (`details.reason` `NOT_CONFIGURED`, `details.setting`) when there is neither,
 * or when the provider needs a key and `settings.apiKeySecret` names none: trying again cannot help until
 * someone edits the definition.
 */
export function llmBaseURL(settings: LlmAgentSettings, callee: string): string {
  const baseURL = settings.baseURL ?? DEFAULT_BASE_URLS[settings.provider];
  if (baseURL === undefined) {
    throw notConfigured(
      `${callee} is not configured: provider "${settings.provider}" has no public endpoint, so set ` +
        `settings.baseURL to the server's URL (up to /v1)`,
      { setting: 'settings.baseURL' },
    );
  }
  if (settings.apiKeySecret === undefined && KEYED_PROVIDERS.includes(settings.provider)) {
    throw notConfigured(
      `${callee} is not configured: provider "${settings.provider}" needs an API key, so set ` +
        `settings.apiKeySecret to the name of a secret that holds it (e.g. "OPENAI_KEY", read from ` +
        `${SECRET_ENV_PREFIX}OPENAI_KEY)`,
      { setting: 'settings.apiKeySecret' },
    );
  }
  return baseURL;
}

/**
 * The error for a secret `settings.apiKeySecret` names that the secret store does not hold. The message names
 * the environment variable the default store reads, since that is where most operators set it.
 */
export function secretNotConfigured(name: string, callee: string): AgentError {
  return notConfigured(
    `${callee} is not configured: the secret "${name}" (settings.apiKeySecret) is not set; set ` +
      `${SECRET_ENV_PREFIX}${name.toUpperCase()} in the worker's environment, or add "${name}" to its secret store`,
    { setting: 'settings.apiKeySecret', secret: name },
  );
}

function notConfigured(message: string, details: Record<string, unknown>): AgentError {
  return new AgentError(message, { retryable: false, details: { reason: 'NOT_CONFIGURED', ...details } });
}
