import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AGENT_CARD_PATH,
  Role,
  SSE_HEADERS,
  TaskState,
  formatSSEEvent,
  type AgentCard,
  type AgentInterface,
  type Message,
  type Part,
} from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  JsonRpcTransportHandler,
  UnauthenticatedUser,
  defaultServerCallContextBuilder,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';

/**
 * Test fixtures: a real A2A agent built with the SDK's server pieces (`DefaultRequestHandler`, the JSON-RPC
 * transport handler) on `node:http` at 127.0.0.1. What it does depends on the `mode` of the message's data
 * part: `reply` answers with a message, `work` runs a task to completion with an artifact sent in two
 * chunks, `fail` and `reject` end a task so, `ask` stops it as input-required (a
 * follow-up message to the task completes it with a report for the answer), and `hang` works until cancelled. Its card is at
 * `/.well-known/agent-card.json` (streaming) and at `/no-stream/card.json` (no streaming); the card at
 * `/down/card.json` names an endpoint that answers 503, the one at `/refusing/card.json` one that answers a
 * JSON-RPC error. Tests only.
 */
export interface TestA2aServer {
  readonly base: string;
  /** The JSON-RPC methods called, in order, and the `Authorization` headers sent (`-` for none). */
  readonly methods: string[];
  readonly authorizations: string[];
  /** Ids of the tasks the client cancelled. */
  readonly cancelled: string[];
  close(): Promise<void>;
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const now = (): string => new Date().toISOString();
const text = (value: string): Part => ({
  content: { $case: 'text', value },
  metadata: undefined,
  filename: '',
  mediaType: '',
});
const data = (value: unknown): Part => ({
  content: { $case: 'data', value },
  metadata: undefined,
  filename: '',
  mediaType: '',
});

function agentMessage(parts: Part[], contextId: string, taskId = ''): Message {
  const messageId = `m-${Math.random().toString(36).slice(2)}`;
  return {
    messageId,
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

class TestExecutor implements AgentExecutor {
  readonly #wake = new Map<string, () => void>();

  constructor(private readonly cancelled: string[]) {}

  cancelTask = (taskId: string): Promise<void> => {
    this.cancelled.push(taskId);
    this.#wake.get(taskId)?.();
    return Promise.resolve();
  };

  execute = async (context: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId, userMessage } = context;
    const sent = userMessage.parts.find((p) => p.content?.$case === 'data')?.content?.value as
      { mode?: string } | undefined;
    const said = userMessage.parts.flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : []));
    const mode = sent?.mode ?? 'reply';
    const status = (state: TaskState, message?: string): void =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: {
            state,
            timestamp: now(),
            message: message === undefined ? undefined : agentMessage([text(message)], contextId, taskId),
          },
          metadata: undefined,
        }),
      );
    const chunk = (parts: Part[], append: boolean): void =>
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: 'report',
            name: 'Report',
            description: 'what was found',
            parts,
            metadata: undefined,
            extensions: [],
          },
          append,
          lastChunk: append,
          metadata: undefined,
        }),
      );
    if (context.task !== undefined) {
      // A follow-up turn: the answer to the question an `ask` task stopped with.
      bus.publish(AgentEvent.task(context.task));
      status(TaskState.TASK_STATE_WORKING, 'thanks');
      const answer: unknown = userMessage.parts.find((p) => p.content?.$case === 'data')?.content?.value;
      chunk([text(`report for ${said.join(' ') || JSON.stringify(answer)}`)], false);
      status(TaskState.TASK_STATE_COMPLETED);
      bus.finished();
      return;
    }
    if (mode === 'reply') {
      bus.publish(
        AgentEvent.message(
          agentMessage([text(`got: ${said.join(' ')}`), data({ received: sent ?? null })], contextId),
        ),
      );
      bus.finished();
      return;
    }
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, timestamp: now(), message: undefined },
        artifacts: [],
        history: [userMessage],
        metadata: undefined,
      }),
    );
    await tick(10);
    status(TaskState.TASK_STATE_WORKING, 'researching');
    if (mode === 'hang') {
      await new Promise<void>((resolve) => this.#wake.set(taskId, resolve));
      status(TaskState.TASK_STATE_CANCELED, 'stopped on request');
    } else if (mode === 'work') {
      await tick(40);
      chunk([text('part one')], false);
      await tick(10);
      chunk([text('part two'), data({ score: 7 })], true);
      status(TaskState.TASK_STATE_COMPLETED);
    } else if (mode === 'fail') {
      await tick(20);
      status(TaskState.TASK_STATE_FAILED, 'no budget left');
    } else if (mode === 'reject') {
      status(TaskState.TASK_STATE_REJECTED, 'not my job');
    } else {
      status(TaskState.TASK_STATE_INPUT_REQUIRED, 'which year?');
    }
    bus.finished();
  };
}

function card(base: string, streaming: boolean): AgentCard {
  return {
    name: 'Researcher',
    description: 'Finds things out',
    supportedInterfaces: [
      { url: `${base}/rpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
    ],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/plain', 'application/json'],
    skills: [
      {
        id: 'research',
        name: 'Research',
        description: 'Researches',
        tags: [],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
}

/** Starts the agent on an ephemeral port of 127.0.0.1. */
export async function startA2aServer(): Promise<TestA2aServer> {
  const methods: string[] = [];
  const authorizations: string[] = [];
  const cancelled: string[] = [];
  let base = '';
  const handler = new DefaultRequestHandler(
    card('', true),
    new InMemoryTaskStore(),
    new TestExecutor(cancelled),
  );
  const rpc = new JsonRpcTransportHandler(handler);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    authorizations.push(req.headers.authorization ?? '-');
    if (req.method === 'GET' && (req.url === `/${AGENT_CARD_PATH}` || req.url === '/no-stream/card.json')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(card(base, req.url === `/${AGENT_CARD_PATH}`)));
      return;
    }
    const broken = /^\/(down|refusing)\/card\.json$/.exec(req.url ?? '');
    if (broken !== null) {
      const plain = card(base, false);
      const iface = { ...plain.supportedInterfaces[0], url: `${base}/${broken[1]}` } as AgentInterface;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...plain, supportedInterfaces: [iface] }));
      return;
    }
    if (req.url === '/down') {
      res.writeHead(503).end();
      return;
    }
    if (req.url === '/refusing') {
      const error = { code: -32004, message: 'this agent takes no messages today' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, error }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/rpc') {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    for await (const chunk of req) body += String(chunk);
    methods.push((JSON.parse(body) as { method: string }).method);
    const context = defaultServerCallContextBuilder({
      extensions: undefined,
      user: new UnauthenticatedUser(),
      headers: req.headers,
      requestedVersion: '1.0',
    });
    const answer = await rpc.handle(body, context);
    if (Symbol.asyncIterator in answer) {
      res.writeHead(200, SSE_HEADERS);
      for await (const event of answer) res.write(formatSSEEvent(event));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  };
  const http = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    base,
    methods,
    authorizations,
    cancelled,
    async close() {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
