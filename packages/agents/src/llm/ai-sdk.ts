import type * as Anthropic from '@ai-sdk/anthropic';
import type * as OpenAi from '@ai-sdk/openai';
import type * as OpenAiCompatible from '@ai-sdk/openai-compatible';
import { AgentError } from '@baton/core';
import type * as Ai from 'ai';

/** The AI SDK modules an `llm` agent uses. */
export interface AiSdk {
  readonly ai: typeof Ai;
  readonly openaiCompatible: typeof OpenAiCompatible;
  readonly openai: typeof OpenAi;
  readonly anthropic: typeof Anthropic;
}

let loading: Promise<AiSdk> | undefined;

/**
 * Loads the AI SDK on the first `llm` call rather than when `@baton/agents` is imported: it is a large
 * module graph that processes running no `llm` agent (most CLI commands, workers of other kinds) would pay
 * for at every start. A failed load is not kept, so a later call tries again; it rejects with a
 * non-retryable `AgentError`, since the next attempt in the same process would fail the same way.
 */
export function loadAiSdk(): Promise<AiSdk> {
  loading ??= Promise.all([
    import('ai'),
    import('@ai-sdk/openai-compatible'),
    import('@ai-sdk/openai'),
    import('@ai-sdk/anthropic'),
  ]).then(
    ([ai, openaiCompatible, openai, anthropic]) => ({ ai, openaiCompatible, openai, anthropic }),
    (error: unknown) => {
      loading = undefined;
      throw new AgentError(
        `could not load the AI SDK: ${error instanceof Error ? error.message : String(error)}`,
        { retryable: false, cause: error },
      );
    },
  );
  return loading;
}
