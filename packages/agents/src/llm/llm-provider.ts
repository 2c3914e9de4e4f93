import type { LanguageModel } from 'ai';
import type { AiSdk } from './ai-sdk.js';
import type { LlmAgentSettings } from './llm-settings.js';

/** What a provider is built from besides the settings: the key's value and the egress-guarded fetch. */
export interface ProviderConnection {
  /** The value of `settings.apiKeySecret`; undefined for a server that needs none. */
  readonly apiKey: string | undefined;
  readonly fetch: typeof globalThis.fetch;
}

/**
 * The AI SDK model an `llm` agent calls. Built per attempt, since the key may have been rotated; building
 * one opens nothing. Every provider must be given `connection.fetch`, which is what keeps its requests
 * behind the egress guard.
 */
export function languageModel(
  sdk: AiSdk,
  settings: LlmAgentSettings,
  connection: ProviderConnection,
): LanguageModel {
  switch (settings.provider) {
    case 'openai-compatible':
      return sdk.openaiCompatible
        .createOpenAICompatible({
          name: 'openai-compatible',
          baseURL: settings.baseURL,
          ...(connection.apiKey === undefined ? {} : { apiKey: connection.apiKey }),
          fetch: connection.fetch,
          // Without it a streamed answer carries no token counts, and so no cost.
          includeUsage: true,
          supportsStructuredOutputs: settings.structuredOutputs,
        })
        .chatModel(settings.model);
  }
}
