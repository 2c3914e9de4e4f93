import type { AgentDefinition } from '../model/agent-schema.js';

/** Everything an agent gets for one attempt of one task. */
export interface AgentInvocation {
  readonly agent: AgentDefinition;
  /** The node's inputs with every template resolved. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly runId: string;
  readonly taskKey: string;
  readonly attempt: number;
  /**
   * `runId:taskKey:attempt`. The same for a recovered in-flight attempt as for the original, so agents that
   * call outside systems can make repeated calls harmless.
   */
  readonly idempotencyKey: string;
  /** Aborted on timeout, on cancellation of the task or run, and on shutdown. */
  readonly signal: AbortSignal;
  /**
   * The progress the previous attempt saved, if any; after a person answered the agent's request for input
   * (`InputRequiredError`), that answer (`inputReplyOf` reads it).
   */
  readonly checkpoint: unknown;
  /** Saves progress a retried or recovered attempt will receive. */
  saveCheckpoint(data: unknown): void;
  /** Reports progress shown live (streamed tokens, a percentage). */
  progress(message: string, data?: unknown): void;
}

/** What an agent returns. */
export interface AgentResult {
  output: unknown;
  /** What this call cost in USD; defaults to the agent's declared `costPerExecution`. */
  costUsd?: number;
}

/**
 * Runs the agents of one kind (`builtin`, `llm`, `http`, …). Contract: resolves with the output, or rejects
 * with a `BatonError` whose `retryable` says whether another attempt may succeed (any other error counts as a
 * retryable `AGENT_FAILED`); stops promptly when the signal aborts and then rejects.
 */
export interface AgentRuntime {
  readonly kind: string;
  /** Whether this runtime can run the agent (a builtin runtime knows its own ids). */
  supports(agent: AgentDefinition): boolean;
  invoke(invocation: AgentInvocation): Promise<AgentResult>;
}

/**
 * A person's answer to an agent's request for input, handed to the next attempt as its checkpoint: the attempt
 * that asked ended, so what it needs to carry on travels in `request` (the details it failed with).
 */
export interface InputReply {
  readonly kind: typeof INPUT_REPLY_KIND;
  /** What the agent asked: the message of its `InputRequiredError`. */
  readonly question: string;
  /** The details of that error, e.g. the id of the remote task that waits for the answer. */
  readonly request: Readonly<Record<string, unknown>>;
  /** The answer: text, or any JSON value. */
  readonly reply: unknown;
  /** Who answered. */
  readonly by: string;
}

export const INPUT_REPLY_KIND = 'baton.input-reply';

/** The answer an attempt carries on with, when its checkpoint is one. */
export function inputReplyOf(checkpoint: unknown): InputReply | undefined {
  const candidate = checkpoint as Partial<InputReply> | null | undefined;
  return typeof candidate === 'object' && candidate !== null && candidate.kind === INPUT_REPLY_KIND
    ? (candidate as InputReply)
    : undefined;
}
