import { parseTemplate, type AgentDefinition } from '@baton/core';
import { z } from 'zod';
import { SIMULATION_SETTINGS, readKindSettings } from '../http/kind-settings.js';
import { SecretNameSchema, headersSchema, httpUrlSchema } from '../net/remote-settings.js';

/**
 * The model APIs an `llm` agent can talk to. Each one is a case of `languageModel` (llm-provider.ts); adding
 * one means adding its name here, its AI SDK provider there and, when it has a public endpoint, its URL to
 * `DEFAULT_BASE_URLS`.
 */
export const LLM_PROVIDERS = ['openai-compatible', 'openai', 'anthropic'] as const;
/** One of `LLM_PROVIDERS`. */
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/**
 * The public endpoint of each provider that has one, used when `settings.baseURL` is left out. Always passed
 * to the SDK explicitly, so that `OPENAI_BASE_URL` or `ANTHROPIC_BASE_URL` in the environment cannot redirect
 * an agent behind the operator's back.
 */
export const DEFAULT_BASE_URLS: Readonly<Partial<Record<LlmProvider, string>>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
};

/** A `{{ }}` template; a syntax error is reported when the definition is read, not when the model answers. */
const TemplateSchema = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    try {
      parseTemplate(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  });

const PricingSchema = z.strictObject({
  inputPerMillion: z.number().min(0),
  outputPerMillion: z.number().min(0),
});

const ToolSourceSchema = z.strictObject({
  mcp: z.strictObject({
    url: httpUrlSchema('authSecret'),
    authSecret: SecretNameSchema.optional(),
    headers: headersSchema(['mcp-session-id', 'mcp-protocol-version', 'last-event-id']).optional(),
  }),
  names: z.array(z.string().min(1)).min(1).optional(),
});

const LlmSettingsSchema = z.strictObject({
  provider: z.enum(LLM_PROVIDERS),
  baseURL: httpUrlSchema('apiKeySecret').optional(),
  model: z.string().min(1),
  apiKeySecret: SecretNameSchema.optional(),
  system: TemplateSchema.optional(),
  prompt: TemplateSchema,
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.int().min(1).optional(),
  pricing: PricingSchema.optional(),
  stream: z.boolean().default(false),
  structuredOutputs: z.boolean().default(true),
  tools: z.array(ToolSourceSchema).max(16).optional(),
  maxSteps: z.int().min(1).max(100).default(5),
  ...SIMULATION_SETTINGS,
});

/**
 * The settings of an `llm` agent, from its definition's `settings`:
 *
 * ```json
 * "settings": {
 *   "provider": "openai-compatible",
 *   "baseURL": "https://llm.example.com/v1",
 *   "model": "qwen2.5-7b-instruct",
 *   "apiKeySecret": "LLM_TOKEN",
 *   "system": "You are a careful analyst.",
 *   "prompt": "Summarise {{ input.text }}",
 *   "pricing": { "inputPerMillion": 0.15, "outputPerMillion": 0.6 }
 * }
 * ```
 *
 * `system` and `prompt` are templates over `{ input, agent }` (core's expression templates). `pricing` is in
 * USD per million tokens. `stream` streams the answer and reports it as progress; `structuredOutputs: false`
 * is for servers that do not take a JSON Schema `response_format` (they get `json_object` instead).
 * `baseURL` may be left out for `openai` and `anthropic` (see `DEFAULT_BASE_URLS`); an `openai-compatible`
 * agent without one is valid but fails as not configured when it runs.
 *
 * `tools` offers the model the tools of MCP servers (streamable HTTP), all of a server's or only those in
 * `names`; `maxSteps` (default 5) bounds the model calls of one invocation, tool rounds included.
 */
export interface LlmAgentSettings {
  readonly provider: LlmProvider;
  readonly baseURL?: string;
  readonly model: string;
  readonly apiKeySecret?: string;
  readonly system?: string;
  readonly prompt: string;
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
  readonly pricing?: { readonly inputPerMillion: number; readonly outputPerMillion: number };
  readonly stream: boolean;
  readonly structuredOutputs: boolean;
  readonly tools: readonly LlmToolSource[];
  readonly maxSteps: number;
}

/** An MCP server whose tools an `llm` agent may call: all of them, or those in `names`. */
export interface LlmToolSource {
  readonly mcp: {
    readonly url: string;
    readonly authSecret?: string;
    readonly headers: Readonly<Record<string, string>>;
  };
  readonly names?: readonly string[];
}

/** Reads and checks the settings; a `DefinitionError` names every field that is wrong. */
export function readLlmSettings(agent: AgentDefinition): LlmAgentSettings {
  const {
    simulated: _simulated,
    latencyMs: _latencyMs,
    ...read
  } = readKindSettings(agent, 'llm', LlmSettingsSchema);
  // Copied field by field so that an absent optional stays absent (exactOptionalPropertyTypes).
  const settings: { -readonly [K in keyof LlmAgentSettings]: LlmAgentSettings[K] } = {
    provider: read.provider,
    model: read.model,
    prompt: read.prompt,
    stream: read.stream,
    structuredOutputs: read.structuredOutputs,
    tools: (read.tools ?? []).map(({ mcp, names }) => ({
      mcp: {
        url: mcp.url,
        headers: mcp.headers ?? {},
        ...(mcp.authSecret === undefined ? {} : { authSecret: mcp.authSecret }),
      },
      ...(names === undefined ? {} : { names }),
    })),
    maxSteps: read.maxSteps,
  };
  if (read.baseURL !== undefined) settings.baseURL = read.baseURL;
  if (read.apiKeySecret !== undefined) settings.apiKeySecret = read.apiKeySecret;
  if (read.system !== undefined) settings.system = read.system;
  if (read.temperature !== undefined) settings.temperature = read.temperature;
  if (read.maxOutputTokens !== undefined) settings.maxOutputTokens = read.maxOutputTokens;
  if (read.pricing !== undefined) settings.pricing = read.pricing;
  return settings;
}
