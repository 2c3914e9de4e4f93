import {
  AgentError,
  inputReplyOf,
  renderTemplate,
  resolveTemplates,
  type AgentDefinition,
  type AgentInvocation,
  type AgentResult,
  type AgentRuntime,
  type Clock,
} from '@baton/core';
import type { AgentCard, Message, Part, SendMessageRequest } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { abortableDelay, raceAbort, throwIfAborted } from '../abort.js';
import { ClientPool } from '../net/client-pool.js';
import { guardedFetch } from '../net/guarded-fetch.js';
import { RemoteAccess, type RemoteAgentRuntimeOptions } from '../net/remote-access.js';
import { stableHash } from '../stable-hash.js';
import { systemClock } from '../system-clock.js';
import { a2aFailure } from './a2a-failure.js';
import type * as A2aSdk from './a2a-sdk.js';
import { agentCardUrl, readA2aSettings, type A2aAgentSettings } from './a2a-settings.js';
import { RemoteTask } from './remote-task.js';

/** Options of `A2aAgentRuntime`; all of them are the operator's, never a definition's. */
export interface A2aAgentRuntimeOptions extends RemoteAgentRuntimeOptions {
  /** Times the polling of working tasks and the age of agent cards. The wall clock by default. */
  clock?: Clock;
  /** How long an agent card (and the client made from it) is used before it is fetched again. Default 5 min. */
  cardTtlMs?: number;
  /** Agents whose card and client are kept (default 32). */
  maxClients?: number;
  /** A response (or event stream) over this size is cut off. Default 8 MiB. */
  maxResponseBytes?: number;
}

interface A2aConnection {
  readonly client: Client;
  readonly card: AgentCard;
  readonly openedAt: number;
}

/** How long a cancellation sent after an abort may take; nobody waits for its answer. */
const CANCEL_TIMEOUT_MS = 5_000;

/**
 * Runs agents that are remote agents speaking the Agent2Agent protocol (kind `a2a`; settings in
 * `A2aAgentSettings`), v1.0 or v0.3, over JSON-RPC or HTTP+JSON as their card offers. Each attempt sends one
 * message built from the task's input (its `messageId` is the attempt's idempotency key). A direct reply is
 * the output; a task is followed to its end by streaming (`message/stream`, when the card or
 * `settings.streaming` says so) or by polling `tasks/get`, and each change of its status is reported as
 * progress. The card is fetched first (and kept for `cardTtlMs`); a named `skill` must be on it.
 *
 * A task that stops as `input-required` rejects with an `InputRequiredError` (its question, and the task and
 * context ids): the engine asks a person, and the attempt after the answer sends it to that same task as the
 * next message of the conversation (text, or a data part for JSON) and follows the task on.
 *
 * Every URL, the card's and those it names, passes the egress guard. Contract: the output is an `A2aOutput`.
 * A task that failed, was rejected or cancelled, or needs credentials (`auth-required`), an unknown skill, a
 * JSON-RPC error and a missing secret reject with a non-retryable `AgentError`; connection failures and 408/429/5xx
 * answers with a retryable one; invalid settings with a `DefinitionError`. When the signal fires a known
 * remote task is cancelled (`tasks/cancel`, not awaited) and the call rejects with the signal's reason.
 */
export class A2aAgentRuntime implements AgentRuntime {
  readonly kind = 'a2a';
  readonly #access: RemoteAccess;
  readonly #clock: Clock;
  readonly #cardTtlMs: number;
  readonly #maxResponseBytes: number | undefined;
  readonly #pool: ClientPool<A2aConnection>;
  readonly #cancels = new Set<Promise<unknown>>();
  #sdk: Promise<typeof A2aSdk> | undefined;

  constructor(options: A2aAgentRuntimeOptions = {}) {
    this.#access = new RemoteAccess(options);
    this.#clock = options.clock ?? systemClock;
    this.#cardTtlMs = options.cardTtlMs ?? 5 * 60_000;
    this.#maxResponseBytes = options.maxResponseBytes;
    // The clients hold no connection between calls, so there is nothing to close.
    this.#pool = new ClientPool(options.maxClients ?? 32, () => Promise.resolve());
  }

  supports(agent: AgentDefinition): boolean {
    return agent.kind === 'a2a';
  }

  async invoke(invocation: AgentInvocation): Promise<AgentResult> {
    const { agent, signal } = invocation;
    throwIfAborted(signal);
    const settings = readA2aSettings(agent);
    const callee = `agent ${agent.id}@${agent.version} (a2a ${settings.url})`;
    // Loaded on first use, so that no process pays for importing the SDK without a2a agents.
    const sdk = await raceAbort((this.#sdk ??= import('./a2a-sdk.js')), signal);
    const message = buildMessage(sdk, settings, invocation, callee);
    const { key, open } = await this.#agent(sdk, settings, callee, signal);
    let lease = await this.#pool.lease(key, open, signal);
    if (this.#clock.now() - lease.client.openedAt > this.#cardTtlMs) {
      lease.discard();
      lease = await this.#pool.lease(key, open, signal);
    }
    try {
      const output = await this.#run(lease.client, settings, message, invocation, callee);
      lease.release();
      return { output, costUsd: agent.performance.costPerExecution };
    } catch (error) {
      const failure = a2aFailure(error, signal, callee);
      // A connection failure may mean the agent moved: fetch its card again next time.
      if (failure.retryable) lease.discard();
      else lease.release();
      throw failure;
    }
  }

  /** Waits for the cancellations sent after aborts. */
  async close(): Promise<void> {
    await Promise.all([...this.#cancels]);
    await this.#pool.close();
  }

  async #run(
    { client, card }: A2aConnection,
    settings: A2aAgentSettings,
    message: Message,
    invocation: AgentInvocation,
    callee: string,
  ): Promise<unknown> {
    const { signal } = invocation;
    if (settings.skill !== undefined && !card.skills.some((s) => s.id === settings.skill)) {
      const ids = card.skills.map((s) => s.id).sort();
      throw new AgentError(
        `${callee} has no skill "${settings.skill}" on its agent card; it offers ` +
          `${ids.length === 0 ? 'none' : ids.join(', ')}`,
        { retryable: false, details: { skill: settings.skill, available: ids } },
      );
    }
    const streaming = settings.streaming ?? card.capabilities?.streaming === true;
    const request: SendMessageRequest = {
      tenant: '',
      message,
      configuration: {
        acceptedOutputModes: [],
        taskPushNotificationConfig: undefined,
        historyLength: 0,
        // Without a stream, an answer at once gives the task id, which polling and cancelling need.
        returnImmediately: !streaming,
      },
      metadata: undefined,
    };
    const task = new RemoteTask(message.taskId !== '');
    const report = (status: ReturnType<RemoteTask['take']>): void => {
      if (status !== undefined) invocation.progress(status.message, status.data);
    };
    try {
      if (streaming) {
        for await (const event of client.sendMessageStream(request, { signal })) report(task.apply(event));
      } else {
        report(task.take(await client.sendMessage(request, { signal })));
      }
      // A stream may end before the task does; polling takes over then.
      for (let id = task.taskId; task.pending && id !== undefined; id = task.taskId) {
        await abortableDelay(settings.pollIntervalMs, signal, this.#clock);
        report(task.take(await client.getTask({ tenant: '', id, historyLength: 0 }, { signal })));
      }
    } catch (error) {
      const id = task.taskId;
      if (signal.aborted && id !== undefined && task.pending) this.#cancel(client, id);
      throw error;
    }
    return task.output(callee);
  }

  #cancel(client: Client, id: string): void {
    const sent = client
      .cancelTask({ tenant: '', id, metadata: undefined }, { signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) })
      .catch(() => undefined);
    this.#cancels.add(sent);
    void sent.finally(() => this.#cancels.delete(sent));
  }

  /** The pool key of an agent with its credentials, and how to fetch its card; checks come first. */
  async #agent(
    sdk: typeof A2aSdk,
    settings: A2aAgentSettings,
    callee: string,
    signal: AbortSignal,
  ): Promise<{ key: string; open: () => Promise<A2aConnection> }> {
    const cardUrl = agentCardUrl(settings.url);
    await raceAbort(this.#access.guard.check(cardUrl), signal);
    const headers: Record<string, string> = {};
    if (settings.authSecret !== undefined) {
      const token = await this.#access.secret(settings.authSecret, 'settings.authSecret', callee, signal);
      headers['authorization'] = `Bearer ${token}`;
    }
    const fetchImpl = guardedFetch({
      guard: this.#access.guard,
      headers,
      maxResponseBytes: this.#maxResponseBytes,
      rejectRetryableStatuses: true,
    });
    const legacyCompat = { enabled: true };
    const factory = new sdk.ClientFactory({
      transports: [
        new sdk.JsonRpcTransportFactory({ fetchImpl, legacyCompat }),
        new sdk.RestTransportFactory({ fetchImpl, legacyCompat }),
      ],
      cardResolver: new sdk.DefaultAgentCardResolver({ fetchImpl, legacyCompat }),
    });
    return {
      key: stableHash(cardUrl, headers['authorization'] ?? ''),
      open: async () => {
        const client = await factory.createFromUrl(cardUrl, '');
        return { client, card: await client.getAgentCard(), openedAt: this.#clock.now() };
      },
    };
  }
}

/** The message of one attempt: text and data parts from the templates, or the task's input as data. */
function buildMessage(
  sdk: typeof A2aSdk,
  settings: A2aAgentSettings,
  invocation: AgentInvocation,
  callee: string,
): Message {
  const parts: Part[] = [];
  const continued = continuationOf(invocation);
  if (continued) {
    const { reply } = continued;
    parts.push(
      typeof reply === 'string'
        ? part({ $case: 'text', value: reply }, 'text/plain')
        : part({ $case: 'data', value: reply }, 'application/json'),
    );
    return message(sdk, settings, invocation, parts, continued);
  }
  const scope = { input: invocation.input };
  try {
    if (settings.text !== undefined) {
      const text = renderTemplate(settings.text, scope);
      parts.push(
        part({ $case: 'text', value: typeof text === 'string' ? text : JSON.stringify(text) }, 'text/plain'),
      );
    }
    if (settings.data !== undefined) {
      parts.push(part({ $case: 'data', value: resolveTemplates(settings.data, scope) }, 'application/json'));
    }
  } catch (error) {
    throw new AgentError(`${callee}: ${(error as Error).message}`, { retryable: false, cause: error });
  }
  if (parts.length === 0)
    parts.push(part({ $case: 'data', value: { ...invocation.input } }, 'application/json'));
  return message(sdk, settings, invocation, parts);
}

/** The remote task a person's answer goes to, when this attempt carries on after the agent asked for input. */
function continuationOf(
  invocation: AgentInvocation,
): { taskId: string; contextId: string; reply: unknown } | undefined {
  const answer = inputReplyOf(invocation.checkpoint);
  const { taskId, contextId } = answer?.request ?? {};
  if (answer === undefined || typeof taskId !== 'string') return undefined;
  return { taskId, contextId: typeof contextId === 'string' ? contextId : '', reply: answer.reply };
}

function message(
  sdk: typeof A2aSdk,
  settings: A2aAgentSettings,
  invocation: AgentInvocation,
  parts: Part[],
  task: { taskId: string; contextId: string } = { taskId: '', contextId: '' },
): Message {
  return {
    // The same for a recovered attempt, so an agent that remembers message ids can drop the repeat.
    messageId: invocation.idempotencyKey,
    contextId: task.contextId,
    taskId: task.taskId,
    role: sdk.Role.ROLE_USER,
    parts,
    metadata: settings.skill === undefined ? undefined : { skillId: settings.skill },
    extensions: [],
    referenceTaskIds: [],
  };
}

function part(content: Part['content'], mediaType: string): Part {
  return { content, metadata: undefined, filename: '', mediaType };
}
