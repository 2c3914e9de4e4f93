import type { LlmProvider } from './llm-settings.js';

/** What a model costs, in USD per million tokens. */
export interface LlmPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** Prices by model id, as `settings.model` names it. */
export type LlmPrices = Readonly<Record<string, LlmPrice>>;

/**
 * The list prices of a few common models, used when neither the definition (`settings.pricing`) nor the
 * operator (`LlmAgentRuntimeOptions.prices`) gives one. Taken from the providers' public price pages in
 * November 2025 (standard tier, no caching or batch discount); they drift, so an operator who reports costs
 * should set `prices`. Only agents of the same provider use them: an `openai-compatible` gateway serving
 * "gpt-4o" may charge something else.
 */
export const DEFAULT_LLM_PRICES: Readonly<Partial<Record<LlmProvider, LlmPrices>>> = {
  openai: {
    'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
    'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
    'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  },
  anthropic: {
    'claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75 },
    'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
    'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
  },
};

/** A dated snapshot suffix: `-20250929` (Anthropic) or `-2024-08-06` (OpenAI). */
const SNAPSHOT_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

/**
 * The price of `model`: the definition's `pricing`, else the operator's `prices`, else the default table of
 * `provider`; undefined when none has it. A dated snapshot (`claude-sonnet-4-5-20250929`) takes the price of
 * its alias when it has none of its own.
 */
export function priceOf(
  model: string,
  provider: LlmProvider,
  pricing: LlmPrice | undefined,
  prices: LlmPrices,
): LlmPrice | undefined {
  if (pricing !== undefined) return pricing;
  const alias = model.replace(SNAPSHOT_SUFFIX, '');
  const defaults = DEFAULT_LLM_PRICES[provider] ?? {};
  for (const table of [prices, defaults]) {
    for (const id of [model, alias]) {
      // Own keys only: a model named "constructor" must not be priced by Object.prototype.
      if (Object.hasOwn(table, id)) return table[id];
    }
  }
  return undefined;
}

/** USD for the tokens at `price`, rounded to a billionth of a dollar so that float noise does not show. */
export function costOf(price: LlmPrice, inputTokens: number, outputTokens: number): number {
  const usd = (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}
