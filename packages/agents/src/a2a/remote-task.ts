import { AgentError, InputRequiredError } from '@baton/core';
import type { Artifact, Message, Part, StreamResponse, Task } from '@a2a-js/sdk';
import { flatten } from '../mcp/mcp-result.js';

/** One part of a remote agent's answer, as plain JSON. File bytes come base64-encoded. */
export type A2aPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'data'; readonly data: unknown }
  | {
      readonly kind: 'file';
      readonly url?: string;
      readonly bytes?: string;
      readonly filename?: string;
      readonly mediaType?: string;
    };

/** An artifact of a remote task. */
export interface A2aArtifact {
  readonly artifactId: string;
  readonly name: string;
  readonly description: string;
  readonly parts: readonly A2aPart[];
}

/**
 * The output of an `a2a` agent. `text` joins the text parts and `data` is the one data part's value (an
 * array of them when there are several, `null` when none), both taken from the artifacts, or from the
 * status message of a task without artifacts, or from the reply of an agent that answered with a message.
 * `taskId` and `state` are `null` for such a direct reply.
 */
export interface A2aOutput {
  readonly text: string;
  readonly data: unknown;
  readonly artifacts: readonly A2aArtifact[];
  readonly taskId: string | null;
  readonly contextId: string | null;
  readonly state: string | null;
}

/**
 * The protocol's task states by their number (the SDK's `TaskState`, a protobuf enum whose numbers the
 * protocol fixes), so that this module needs no value of the SDK, which is loaded only on first use.
 */
const STATE_NAMES: readonly string[] = [
  'unspecified',
  'submitted',
  'working',
  'completed',
  'failed',
  'canceled',
  'input-required',
  'rejected',
  'auth-required',
];

/** States after which the remote agent does no more without being sent something. */
const FINAL_STATES: ReadonlySet<string> = new Set([
  'completed',
  'failed',
  'canceled',
  'rejected',
  'input-required',
  'auth-required',
]);

/** What a progress report says about a status: the state, and the agent's message if it gave one. */
export interface StatusReport {
  readonly message: string;
  readonly data: { readonly taskId: string; readonly state: string };
}

/**
 * What is known of the answer to one message: a direct reply, or a task followed through its snapshots
 * (`message/send`, `tasks/get`) and stream events (status and artifact updates, artifacts appended chunk
 * by chunk).
 */
export class RemoteTask {
  #task: Task | undefined;
  #reply: Message | undefined;
  #reported = '';
  /** The status that asked for the input this message answers; seen again, it is not a new question. */
  #answered: string | undefined;

  /**
   * `answering`: the message answers a task that stopped as input-required. The first snapshot of that task
   * still shows the question (an agent publishes the task as it was before working on the answer).
   */
  constructor(private readonly answering = false) {}

  get taskId(): string | undefined {
    return this.#task?.id;
  }

  /** True while a task is known and not in a final or interrupted state. */
  get pending(): boolean {
    const task = this.#task;
    if (this.#reply !== undefined) return false;
    if (task === undefined || !FINAL_STATES.has(stateName(task))) return true;
    return this.#answered !== undefined && this.#asked(task) === this.#answered;
  }

  /** What identifies the question of a task waiting for input: its status's time and message. */
  #asked(task: Task): string | undefined {
    if (stateName(task) !== 'input-required') return undefined;
    return JSON.stringify([task.status?.timestamp ?? null, task.status?.message?.messageId ?? null]);
  }

  #see(task: Task): void {
    if (this.answering && this.#task === undefined) this.#answered = this.#asked(task);
    this.#task = task;
  }

  /** Takes an answer of `message/send` or `tasks/get`. */
  take(answer: Task | Message): StatusReport | undefined {
    if ('messageId' in answer) {
      this.#reply = answer;
      return undefined;
    }
    this.#see(answer);
    return this.#report();
  }

  /** Takes an event of `message/stream`; returns a report when the status changed. */
  apply(event: StreamResponse): StatusReport | undefined {
    const payload = event.payload;
    switch (payload?.$case) {
      case 'task':
      case 'message':
        return this.take(payload.value);
      case 'statusUpdate':
        if (this.#task === undefined || payload.value.status === undefined) return undefined;
        this.#task = { ...this.#task, status: payload.value.status };
        return this.#report();
      case 'artifactUpdate': {
        const artifact = payload.value.artifact;
        if (this.#task === undefined || artifact === undefined) return undefined;
        const artifacts = [...this.#task.artifacts];
        const at = artifacts.findIndex((a) => a.artifactId === artifact.artifactId);
        const previous = artifacts[at];
        if (previous === undefined) artifacts.push(artifact);
        else
          artifacts[at] = payload.value.append
            ? { ...previous, parts: [...previous.parts, ...artifact.parts] }
            : artifact;
        this.#task = { ...this.#task, artifacts };
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** The output of a completed task or a reply; a task that ended otherwise is a non-retryable error. */
  output(callee: string): A2aOutput {
    if (this.#reply !== undefined) {
      const reply = this.#reply;
      return {
        ...content(reply.parts),
        artifacts: [],
        taskId: null,
        contextId: reply.contextId || null,
        state: null,
      };
    }
    const task = this.#task;
    if (task === undefined)
      throw new AgentError(`${callee} answered neither a task nor a message`, { retryable: false });
    const name = stateName(task);
    if (name === 'input-required') {
      // A person answers in the agent's place; the next attempt sends the answer to this task.
      const asked = content(task.status?.message?.parts ?? []);
      const question = flatten(asked.text);
      throw new InputRequiredError(question === '' ? `${callee} needs more input` : question, {
        details: { taskId: task.id, contextId: task.contextId, state: name, data: asked.data },
      });
    }
    if (name !== 'completed') {
      const said = flatten(content(task.status?.message?.parts ?? []).text);
      const interrupted = name === 'auth-required';
      throw new AgentError(
        `${callee}: the remote task ${task.id} ${interrupted ? `stopped as ${name}` : `ended ${name}`}` +
          `${said === '' ? '' : `: ${said}`}${interrupted ? '; give the agent credentials (settings.authSecret)' : ''}`,
        { retryable: false, details: { taskId: task.id, state: name } },
      );
    }
    const parts =
      task.artifacts.length > 0
        ? task.artifacts.flatMap((a) => a.parts)
        : (task.status?.message?.parts ?? []);
    return {
      ...content(parts),
      artifacts: task.artifacts.map(artifactJson),
      taskId: task.id,
      contextId: task.contextId || null,
      state: name,
    };
  }

  #report(): StatusReport | undefined {
    const task = this.#task;
    if (task === undefined) return undefined;
    const name = stateName(task);
    const said = flatten(content(task.status?.message?.parts ?? []).text);
    const message = said === '' ? name : `${name}: ${said}`;
    if (message === this.#reported) return undefined;
    this.#reported = message;
    return { message, data: { taskId: task.id, state: name } };
  }
}

function stateName(task: Task): string {
  return STATE_NAMES[Number(task.status?.state ?? 0)] ?? 'unknown';
}

function content(parts: readonly Part[]): { text: string; data: unknown } {
  const json = parts.map(partJson);
  const texts = json.flatMap((p) => (p.kind === 'text' ? [p.text] : []));
  const data = json.flatMap((p) => (p.kind === 'data' ? [p.data] : []));
  return { text: texts.join('\n'), data: data.length === 0 ? null : data.length === 1 ? data[0] : data };
}

function artifactJson(artifact: Artifact): A2aArtifact {
  return {
    artifactId: artifact.artifactId,
    name: artifact.name,
    description: artifact.description,
    parts: artifact.parts.map(partJson),
  };
}

function partJson(part: Part): A2aPart {
  const about = {
    ...(part.filename === '' ? {} : { filename: part.filename }),
    ...(part.mediaType === '' ? {} : { mediaType: part.mediaType }),
  };
  const content = part.content;
  switch (content?.$case) {
    case 'text':
      return { kind: 'text', text: content.value };
    case 'data':
      return { kind: 'data', data: (content.value as unknown) ?? null };
    case 'url':
      return { kind: 'file', url: content.value, ...about };
    case 'raw':
      return { kind: 'file', bytes: Buffer.from(content.value).toString('base64'), ...about };
    default:
      return { kind: 'data', data: null };
  }
}
