import {
  AgentError,
  renderTemplate,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
  type Clock,
} from '@baton/core';
import type { FinishReason, LanguageModelUsage, OutputInterface, generateText } from 'ai';
import { raceAbort, throwIfAborted } from '../abort.js';
import { disconnect, type McpConnection } from '../mcp/mcp-connection.js';
import type * as McpSdk from '../mcp/mcp-sdk.js';
import { ClientPool } from '../net/client-pool.js';
import { guardedFetch } from '../net/guarded-fetch.js';
import { RemoteAccess, type RemoteAgentRuntimeOptions } from '../net/remote-access.js';
import { isSafeHeaderValue } from '../net/remote-settings.js';
import { systemClock } from '../system-clock.js';
import { loadAiSdk, type AiSdk } from './ai-sdk.js';
import { llmBaseURL, secretNotConfigured } from './llm-configuration.js';
import { llmFailure } from './llm-failure.js';
import { costOf, priceOf, type LlmPrices } from './llm-prices.js';
import { languageModel } from './llm-provider.js';
import { readLlmSettings, type LlmAgentSettings } from './llm-settings.js';
import { llmTools, type LlmTools } from './llm-tools.js';
import { outputObjectSchema } from './output-schema.js';
import { StreamProgress, type StreamProgressOptions } from './stream-progress.js';

/** Options of `LlmAgentRuntime`; all of them are the operator's, never a definition's. */
export interface LlmAgentRuntimeOptions extends RemoteAgentRuntimeOptions {
  /** Responses over this size are refused. Default 16 MiB (a streamed answer is several times its text). */
  maxResponseBytes?: number;
  /** How often a streamed answer is reported. Default every 1,000 characters or 500 ms. */
  progress?: Partial<StreamProgressOptions>;
  /** Times the progress reports. The system clock by default. */
  clock?: Clock;
  /**
   * USD per million tokens by model id, over `DEFAULT_LLM_PRICES` and under a definition's
   * `settings.pricing`: the operator's negotiated prices, or models the default table lacks.
   */
  prices?: LlmPrices;
  /** Open MCP clients kept for `settings.tools` (default 16); the least recently used idle one is closed past that. */
  maxToolClients?: number;
  /** How long connecting to a tools' MCP server and its handshake may take (default 30 s). */
  connectTimeoutMs?: number;
}

/** The default cap on a model's response body. */
export const DEFAULT_LLM_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** What the model gave, whichever way it was asked. */
interface Answer {
  readonly text: string;
  /** The object, when the agent has an `outputSchema`. */
  readonly object: unknown;
  readonly usage: LanguageModelUsage;
  readonly finishReason: FinishReason;
  readonly modelId: string | undefined;
}

/** The AI SDK call both ways of asking share. */
type Call = Parameters<typeof generateText>[0] & { output: OutputInterface<unknown, unknown> };

/**
 * Runs agents that are a prompt to a language model (kind `llm`; settings in `LlmAgentSettings`) through the
 * AI SDK. `settings.system` and `settings.prompt` are rendered over `{ input, agent: { id, version } }`; the
 * answer is `{ text, usage: { inputTokens, outputTokens }, model, finishReason }`, or, when the definition
 * has an `outputSchema`, the object the model produced for that schema (sent as the JSON Schema of the
 * answer). The cost is the reported token usage times the model's price (`priceOf`: `settings.pricing`, the
 * `prices` option, `DEFAULT_LLM_PRICES`), else `costPerExecution`. With
 * `settings.stream` the answer is streamed and reported through `invocation.progress` as it grows.
 *
 * Every request passes the egress guard and is pinned to the checked addresses; it carries the API key
 * from the `SecretStore` and `Idempotency-Key: <runId:taskKey:attempt>`. The SDK never retries
 * (`maxRetries: 0`): the task's retry policy decides.
 *
 * Contract: 408, 429, 5xx and connection failures reject with a retryable `AgentError`; other 4xx, an
 * unreadable answer and an object that does not match the `outputSchema` with a non-retryable one carrying
 * the provider's message (never the key); a missing base URL, API key setting or secret with a
 * non-retryable one whose `details.reason` is `NOT_CONFIGURED`, naming what to set, before any request; invalid settings with a
 * `DefinitionError`, a refused destination with a `ForbiddenError` (`details.reason` `EGRESS_DENIED`). When
 * the invocation's signal fires the request is torn down and the call rejects with the signal's reason.
 */
export class LlmAgentRuntime implements AgentRuntime {
  readonly kind = 'llm';
  readonly #access: RemoteAccess;
  readonly #fetch: typeof globalThis.fetch;
  readonly #clock: Clock;
  readonly #progress: StreamProgressOptions;
  readonly #prices: LlmPrices;
  readonly #connectTimeoutMs: number;
  readonly #toolClients: ClientPool<McpConnection>;
  #mcpSdk: Promise<typeof McpSdk> | undefined;

  constructor(options: LlmAgentRuntimeOptions = {}) {
    this.#access = new RemoteAccess(options);
    this.#fetch = guardedFetch({
      guard: this.#access.guard,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_LLM_MAX_RESPONSE_BYTES,
    });
    this.#clock = options.clock ?? systemClock;
    this.#progress = { everyChars: 1_000, everyMs: 500, ...options.progress };
    this.#prices = options.prices ?? {};
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.#toolClients = new ClientPool(options.maxToolClients ?? 16, disconnect);
  }

  /** Closes the MCP clients kept for `settings.tools`. */
  close(): Promise<void> {
    return this.#toolClients.close();
  }

  supports(agent: AgentDefinition): boolean {
    return agent.kind === 'llm';
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    const { agent, signal } = invocation;
    throwIfAborted(signal);
    const settings = readLlmSettings(agent);
    const baseURL = llmBaseURL(settings, `llm agent ${agent.id}@${agent.version}`);
    const scope = { input: invocation.input, agent: { id: agent.id, version: agent.version } };
    const prompt = render(settings.prompt, scope, 'prompt', agent);
    const system =
      settings.system === undefined ? undefined : render(settings.system, scope, 'system', agent);
    const apiKey =
      settings.apiKeySecret === undefined
        ? undefined
        : await this.#apiKey(settings.apiKeySecret, `llm agent ${agent.id}@${agent.version}`, signal);
    const sdk = await raceAbort(loadAiSdk(), signal);
    const { Output } = sdk.ai;
    const call: Call = {
      model: languageModel(sdk, settings, { baseURL, apiKey, fetch: this.#fetch }),
      prompt,
      ...(system === undefined ? {} : { system }),
      ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
      ...(settings.maxOutputTokens === undefined ? {} : { maxOutputTokens: settings.maxOutputTokens }),
      output:
        agent.outputSchema === undefined
          ? Output.text()
          : Output.object({ schema: outputObjectSchema(sdk, agent.outputSchema), name: 'output' }),
      maxRetries: 0,
      abortSignal: signal,
      headers: { 'Idempotency-Key': invocation.idempotencyKey },
    };
    const tools = await this.#tools(sdk, settings, invocation);
    if (tools !== undefined) {
      call.tools = tools.tools;
      call.stopWhen = sdk.ai.stepCountIs(settings.maxSteps);
    }
    let answer: Answer;
    try {
      answer = await raceAbort(
        settings.stream ? this.#stream(sdk, call, invocation) : generate(sdk, call),
        signal,
      );
    } catch (error) {
      // An abort can surface as whatever the SDK made of the torn-down request; the signal's reason wins.
      throwIfAborted(signal);
      throw llmFailure(error, { callee: callee(agent, settings, baseURL), secret: apiKey }, sdk);
    } finally {
      tools?.release();
    }
    throwIfAborted(signal);
    const output =
      agent.outputSchema === undefined
        ? {
            text: answer.text,
            usage: {
              inputTokens: answer.usage.inputTokens ?? null,
              outputTokens: answer.usage.outputTokens ?? null,
            },
            model: answer.modelId ?? settings.model,
            finishReason: answer.finishReason,
          }
        : answer.object;
    return {
      output,
      costUsd: this.#cost(settings, answer.usage) ?? agent.performance.costPerExecution,
    };
  }

  /** The AI SDK tools of `settings.tools`, undefined when there are none. */
  async #tools(
    sdk: AiSdk,
    settings: LlmAgentSettings,
    invocation: AgentInvocation,
  ): Promise<LlmTools | undefined> {
    if (settings.tools.length === 0) return undefined;
    const { agent, signal } = invocation;
    // Loaded on first use, as the mcp runtime does: the MCP SDK is slow to import.
    const mcp = await raceAbort((this.#mcpSdk ??= import('../mcp/mcp-sdk.js')), signal);
    const reach = {
      sdk: mcp,
      access: this.#access,
      stdioCommands: new Set<string>(),
      connectTimeoutMs: this.#connectTimeoutMs,
      maxResponseBytes: undefined,
    };
    return llmTools(
      sdk,
      reach,
      this.#toolClients,
      settings.tools,
      invocation,
      `llm agent ${agent.id}@${agent.version}`,
    );
  }

  /**
   * The API key `name` holds. Read here rather than through `RemoteAccess.secret` so that an unset one says
   * exactly what to set (`secretNotConfigured`).
   */
  async #apiKey(name: string, callee: string, signal: AbortSignal): Promise<string> {
    const value = await raceAbort(this.#access.secrets.get(name), signal);
    if (value === undefined) throw secretNotConfigured(name, callee);
    // Checked here so that neither the value nor a header-injection attempt reaches an error message.
    if (!isSafeHeaderValue(value)) {
      throw new AgentError(`the secret "${name}" holds a line break or NUL, which a header cannot carry`, {
        retryable: false,
        details: { secret: name },
      });
    }
    return value;
  }

  /** USD from the reported tokens and the model's price; undefined when either is missing. */
  #cost(settings: LlmAgentSettings, usage: LanguageModelUsage): number | undefined {
    const price = priceOf(settings.model, settings.provider, settings.pricing, this.#prices);
    if (price === undefined || usage.inputTokens === undefined || usage.outputTokens === undefined) {
      return undefined;
    }
    return costOf(price, usage.inputTokens, usage.outputTokens);
  }

  async #stream(sdk: AiSdk, call: Call, invocation: AgentInvocation): Promise<Answer> {
    const progress = new StreamProgress(
      (message, data) => invocation.progress(message, data),
      this.#clock,
      this.#progress,
    );
    // Errors arrive as stream parts, handled below; without `onError` the SDK would also log them.
    const result = sdk.ai.streamText({ ...call, onError: () => undefined });
    let text = '';
    let usage: LanguageModelUsage | undefined;
    let finishReason: FinishReason = 'other';
    for await (const part of result.fullStream) {
      switch (part.type) {
        case 'text-delta':
          text += part.text;
          progress.add(part.text);
          break;
        case 'error':
          throw part.error;
        case 'abort':
          throwIfAborted(invocation.signal);
          throw new AgentError('the model stream was aborted', { retryable: true });
        case 'finish':
          usage = part.totalUsage;
          finishReason = part.finishReason;
          break;
        default:
          break;
      }
    }
    progress.flush();
    const object: unknown = call.output.name === 'text' ? undefined : ((await result.output) as unknown);
    const { modelId } = await result.response;
    return { text, object, usage: usage ?? (await result.totalUsage), finishReason, modelId };
  }
}

async function generate(sdk: AiSdk, call: Call): Promise<Answer> {
  const result = await sdk.ai.generateText(call);
  return {
    text: result.text,
    object: call.output.name === 'text' ? undefined : result.output,
    usage: result.totalUsage,
    finishReason: result.finishReason,
    modelId: result.response.modelId,
  };
}

/** Renders `settings.<field>` to the text sent; a value that is not a string is sent as JSON. */
function render(
  template: string,
  scope: Readonly<Record<string, unknown>>,
  field: string,
  agent: AgentDefinition,
): string {
  let value: unknown;
  try {
    value = renderTemplate(template, scope);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new AgentError(`agent ${agent.id}@${agent.version}: settings.${field}: ${why}`, {
      retryable: false,
      cause: error,
      details: { field: `settings.${field}` },
    });
  }
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function callee(agent: AgentDefinition, settings: LlmAgentSettings, baseURL: string): string {
  const url = new URL(baseURL);
  return `llm agent ${agent.id}@${agent.version} (${url.origin}${url.pathname}, model ${settings.model})`;
}
