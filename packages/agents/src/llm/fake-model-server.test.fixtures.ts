import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** How the fake server answers the next request. */
export type FakeReply =
  /** A chat completion, streamed as server-sent events when the request asks for `stream: true`. */
  | {
      kind: 'text';
      text: string;
      model?: string;
      usage?: { prompt_tokens: number; completion_tokens: number };
      /** Streaming only: characters per chunk (default 4) and a pause between chunks. */
      chunkChars?: number;
      chunkDelayMs?: number;
      /** Streaming only: send this many chunks, then keep the connection open without a word. */
      hangAfterChunks?: number;
    }
  /** OpenAI format, not streamed: an assistant message that calls tools, with `finish_reason: 'tool_calls'`. */
  | { kind: 'tool-calls'; calls: { name: string; arguments: Record<string, unknown> }[] }
  | { kind: 'status'; status: number; message: string; headers?: Record<string, string> }
  | { kind: 'malformed' };

const DEFAULT_REPLY: FakeReply = { kind: 'text', text: 'Hello from the fake model.' };

/**
 * A model server for tests, on 127.0.0.1 with a random port: OpenAI's chat completions
 * (`POST /v1/chat/completions`) and Anthropic's messages (`POST /v1/messages`), each in its own wire format.
 * It records every request and answers from a queue of replies (a default text when the queue is empty):
 * a completion, plain or streamed, an error status with the API's error body, or malformed JSON.
 */
export class FakeModelServer {
  readonly requests: ReceivedRequest[] = [];
  readonly #replies: FakeReply[] = [];
  readonly #server: Server;
  #base = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const body = (raw === '' ? {} : JSON.parse(raw)) as Record<string, unknown>;
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        const reply = this.#replies.shift() ?? DEFAULT_REPLY;
        const stream = body['stream'] === true;
        if (req.method === 'POST' && req.url === '/v1/chat/completions') answer(res, reply, stream);
        else if (req.method === 'POST' && req.url === '/v1/messages') answerAnthropic(res, reply, stream);
        else json(res, 404, { error: { message: `no route ${req.method ?? ''} ${req.url ?? ''}` } });
      });
    });
  }

  /** Starts a server; close it with `close()`. */
  static async start(): Promise<FakeModelServer> {
    const fake = new FakeModelServer();
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#base = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The `baseURL` of an agent using this server, `http://127.0.0.1:<port>/v1`. */
  get baseURL(): string {
    return `${this.#base}/v1`;
  }

  /** `127.0.0.1:<port>`, the egress allow-list entry for this server. */
  get host(): string {
    return new URL(this.#base).host;
  }

  /** Queues the answers to the next requests, in order. */
  reply(...replies: FakeReply[]): void {
    this.#replies.push(...replies);
  }

  /** Forgets recorded requests and queued replies. */
  reset(): void {
    this.requests.length = 0;
    this.#replies.length = 0;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function answer(res: ServerResponse, reply: FakeReply, stream: boolean): void {
  switch (reply.kind) {
    case 'status':
      json(res, reply.status, { error: { message: reply.message, type: 'fake_error' } }, reply.headers);
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-1", "choices": [');
      return;
    case 'text':
      if (stream) streamText(res, reply);
      else json(res, 200, completion(reply));
      return;
    case 'tool-calls':
      json(res, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_767_225_600,
        model: 'fake-model-001',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: reply.calls.map((call, i) => ({
                id: `call_${i + 1}`,
                type: 'function',
                function: { name: call.name, arguments: JSON.stringify(call.arguments) },
              })),
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
      });
      return;
  }
}

function completion(reply: FakeReply & { kind: 'text' }): Record<string, unknown> {
  const usage = reply.usage ?? { prompt_tokens: 12, completion_tokens: 7 };
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_767_225_600,
    model: reply.model ?? 'fake-model-001',
    choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

function streamText(res: ServerResponse, reply: FakeReply & { kind: 'text' }): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const size = reply.chunkChars ?? 4;
  const pieces: string[] = [];
  for (let i = 0; i < reply.text.length; i += size) pieces.push(reply.text.slice(i, i + size));
  const model = reply.model ?? 'fake-model-001';
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string => {
    const event = {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1_767_225_600,
      model,
      choices,
    };
    return `data: ${JSON.stringify({ ...event, ...extra })}\n\n`;
  };
  const usage = reply.usage ?? { prompt_tokens: 12, completion_tokens: 7 };
  const events = [
    ...pieces.map((content, i) =>
      chunk([
        { index: 0, delta: i === 0 ? { role: 'assistant', content } : { content }, finish_reason: null },
      ]),
    ),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunk([], { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }),
    'data: [DONE]\n\n',
  ];
  let sent = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (reply.hangAfterChunks !== undefined && sent >= reply.hangAfterChunks) return;
    const event = events[sent++];
    if (event === undefined) {
      res.end();
      return;
    }
    res.write(event);
    if (reply.chunkDelayMs === undefined) next();
    else setTimeout(next, reply.chunkDelayMs);
  };
  next();
}

/** The same replies in Anthropic's Messages API format, streamed as its named server-sent events. */
function answerAnthropic(res: ServerResponse, reply: FakeReply, stream: boolean): void {
  switch (reply.kind) {
    case 'status':
      json(
        res,
        reply.status,
        { type: 'error', error: { type: 'fake_error', message: reply.message } },
        reply.headers,
      );
      return;
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"type": "message", "content": [');
      return;
    case 'tool-calls':
      json(res, 501, { type: 'error', error: { type: 'fake_error', message: 'tool calls: OpenAI only' } });
      return;
    case 'text':
      break;
  }
  const model = reply.model ?? 'claude-fake-001';
  const usage = reply.usage ?? { prompt_tokens: 12, completion_tokens: 7 };
  if (!stream) {
    json(res, 200, {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: reply.text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: Record<string, unknown>): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  event('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: usage.prompt_tokens, output_tokens: 1 },
    },
  });
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  event('ping', {});
  const size = reply.chunkChars ?? 4;
  for (let i = 0; i < reply.text.length; i += size) {
    event('content_block_delta', {
      index: 0,
      delta: { type: 'text_delta', text: reply.text.slice(i, i + size) },
    });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.completion_tokens },
  });
  event('message_stop', {});
  res.end();
}
