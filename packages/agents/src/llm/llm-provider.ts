import type { LanguageModel } from 'ai';
import type { AiSdk } from './ai-sdk.js';
import type { LlmAgentSettings } from './llm-settings.js';

/**
 * What a provider is built from besides the settings: where it is, the key's value and the egress-guarded
 * fetch.
 */
export interface ProviderConnection {
  /** `settings.baseURL`, or the provider's public endpoint (`llmBaseURL`). */
  readonly baseURL: string;
  /** The value of `settings.apiKeySecret`; undefined for a server that needs none. */
  readonly apiKey: string | undefined;
  readonly fetch: typeof globalThis.fetch;
}

/**
 * The AI SDK model an `llm` agent calls. Built per attempt, since the key may have been rotated; building
 * one opens nothing. Every provider must be given `connection.fetch`, which is what keeps its requests
 * behind the egress guard, and an explicit `baseURL` and key, so that none falls back to the SDK's
 * environment variables (`OPENAI_API_KEY`, `ANTHROPIC_BASE_URL`…).
 */
export function languageModel(
  sdk: AiSdk,
  settings: LlmAgentSettings,
  connection: ProviderConnection,
): LanguageModel {
  const apiKey = connection.apiKey === undefined ? {} : { apiKey: connection.apiKey };
  switch (settings.provider) {
    case 'openai-compatible':
      return sdk.openaiCompatible
        .createOpenAICompatible({
          name: 'openai-compatible',
          baseURL: connection.baseURL,
          ...apiKey,
          fetch: connection.fetch,
          // Without it a streamed answer carries no token counts, and so no cost.
          includeUsage: true,
          supportsStructuredOutputs: settings.structuredOutputs,
        })
        .chatModel(settings.model);
    case 'openai':
      // The Chat Completions API (`/chat/completions`), not the SDK's default Responses API: it is the one
      // every OpenAI-style gateway also serves, and it returns the same text, objects and usage.
      return sdk.openai
        .createOpenAI({ baseURL: connection.baseURL, ...apiKey, fetch: connection.fetch })
        .chat(settings.model);
    case 'anthropic':
      return sdk.anthropic
        .createAnthropic({ baseURL: connection.baseURL, ...apiKey, fetch: connection.fetch })
        .messages(settings.model);
  }
}
