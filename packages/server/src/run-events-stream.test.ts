import { get, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '@baton/core';
import type { Baton } from '@baton/embedded';
import { ErrorBodySchema } from '@baton/protocol';
import { listenApi, type ApiListener } from './listen-api.js';
import { openApi, sseMessages, type ApiHarness, type SseMessage } from './testing/api-harness.js';

let api: ApiHarness;
let listener: ApiListener | undefined;
const aborts: AbortController[] = [];
beforeEach(async () => {
  api = await openApi();
});
afterEach(async () => {
  for (const abort of aborts.splice(0)) abort.abort();
  await listener?.close();
  listener = undefined;
  await api.dispose();
});

const payment = {
  id: 'pay',
  name: 'Pay',
  version: '1.0.0',
  nodes: [
    { id: 'ask', type: 'approval', assignee: 'role:finance', message: 'Pay?' },
    { id: 'paid', type: 'transform', set: { ok: 'true' } },
  ],
  edges: [{ from: 'ask', to: 'paid', port: 'approved' }],
};

/** Serves the API over `baton` (the harness's own by default) on a free loopback port. */
async function serve(baton: Baton = api.baton): Promise<string> {
  listener = await listenApi({ baton, host: '127.0.0.1', port: 0 });
  return listener.url;
}

async function waitingRun(): Promise<string> {
  const run = await api.baton.startRun(payment);
  await expect.poll(async () => (await api.baton.getRun(run.id))?.run.status).toBe('waiting');
  return run.id;
}

function connect(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const abort = new AbortController();
  aborts.push(abort);
  return fetch(url, { headers, signal: abort.signal });
}

/** Reads events until one of `type`, checking that each message's id is its event's seq. */
async function readUntil(messages: AsyncGenerator<SseMessage>, type: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for (;;) {
    const next = await messages.next();
    if (next.done)
      throw new Error(`the stream ended before ${type}; got ${events.map((e) => e.type).join(', ')}`);
    const event = JSON.parse(next.value.data) as RunEvent;
    expect(next.value.id).toBe(String(event.seq));
    events.push(event);
    if (event.type === type) return events;
  }
}

const seqs = (events: readonly RunEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_v, i) => from + i);

describe('the event stream of a run', () => {
  it('sends the stored events, then the live ones until the run ends, each seq once and without a gap', async () => {
    const url = await serve();
    const run = await waitingRun();
    const response = await connect(`${url}/api/v1/runs/${run}/events/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const messages = sseMessages(response);

    const stored = await readUntil(messages, 'run.waiting');
    expect(stored[0]?.type).toBe('run.created');
    await api.baton.decide(run, 'ask', 'approved', 'ana');
    const live = await readUntil(messages, 'run.completed');
    expect(live.map((e) => e.type)).toContain('approval.decided');

    const all = [...stored, ...live];
    expect(seqs(all)).toEqual(range(1, all.length));
    expect(all).toEqual(await api.baton.readEvents(run));
    expect((await messages.next()).done).toBe(true);
  });

  it('sends only what follows Last-Event-ID (or ?after=) on a reconnect, and 204 once the run is over', async () => {
    const url = await serve();
    const run = await waitingRun();
    await api.baton.decide(run, 'ask', 'approved', 'ana');
    await api.baton.waitForRun(run);
    const total = (await api.baton.readEvents(run)).length;

    const resumed = await connect(`${url}/api/v1/runs/${run}/events/stream`, { 'last-event-id': '3' });
    expect(seqs(await readUntil(sseMessages(resumed), 'run.completed'))).toEqual(range(4, total));
    const after = await connect(`${url}/api/v1/runs/${run}/events/stream?after=${total - 1}`);
    expect(seqs(await readUntil(sseMessages(after), 'run.completed'))).toEqual([total]);

    const over = await connect(`${url}/api/v1/runs/${run}/events/stream`, { 'last-event-id': String(total) });
    expect(over.status).toBe(204);
  });

  it('follows a run another process drives by reading the store', async () => {
    // As the API of a process that does not drive the run sees it: `subscribe` hears nothing of it.
    const elsewhere: Baton = { ...api.baton, drives: () => false, subscribe: () => () => undefined };
    const url = await serve(elsewhere);
    const run = await waitingRun();
    const messages = sseMessages(await connect(`${url}/api/v1/runs/${run}/events/stream`));
    const stored = await readUntil(messages, 'run.waiting');
    await api.baton.decide(run, 'ask', 'approved', 'ana');
    const polled = await readUntil(messages, 'run.completed');
    expect(seqs([...stored, ...polled])).toEqual(range(1, stored.length + polled.length));
    expect((await messages.next()).done).toBe(true);
  });

  it('stops listening to the run when the client goes away', async () => {
    let listening = 0;
    const counted: Baton = {
      ...api.baton,
      subscribe: (runId, listen) => {
        listening += 1;
        const stop = api.baton.subscribe(runId, listen);
        return () => {
          listening -= 1;
          stop();
        };
      },
    };
    const url = await serve(counted);
    const run = await waitingRun();
    // A plain socket that the test closes itself (fetch keeps a spare connection open, which slows the close).
    const request = get(`${url}/api/v1/runs/${run}/events/stream`, { agent: false });
    const response = await new Promise<IncomingMessage>((resolve) => request.once('response', resolve));
    await readUntil(sseMessages(new Response(Readable.toWeb(response) as ReadableStream)), 'run.waiting');
    expect(listening).toBe(1);
    request.destroy();
    await expect.poll(() => listening).toBe(0);
  });

  it('ends the streams still open when the server closes', async () => {
    const url = await serve();
    const run = await waitingRun();
    const request = get(`${url}/api/v1/runs/${run}/events/stream`, { agent: false });
    const response = await new Promise<IncomingMessage>((resolve) => request.once('response', resolve));
    const messages = sseMessages(new Response(Readable.toWeb(response) as ReadableStream));
    await readUntil(messages, 'run.waiting');
    await listener?.close();
    listener = undefined;
    expect((await messages.next()).done).toBe(true);
  });

  it('sends a heartbeat comment while a run is quiet, so that proxies keep the link', async () => {
    const runId = await waitingRun();
    listener = await listenApi({
      baton: api.baton,
      host: '127.0.0.1',
      port: 0,
      streams: { heartbeatMs: 40 },
    });
    const response = await connect(`${listener.url}/api/v1/runs/${runId}/events/stream`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const started = Date.now();
    // The backlog arrives at once; the heartbeats keep coming while nothing happens.
    while ((text.match(/^: heartbeat$/gm) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    expect(text).toContain('"type":"approval.requested"');
    await reader.cancel();
  });

  it('refuses a Last-Event-ID that is not a seq', async () => {
    const run = await waitingRun();
    const response = await api.app.inject({
      url: `/api/v1/runs/${run}/events/stream`,
      headers: { 'last-event-id': 'yesterday' },
    });
    expect(response.statusCode).toBe(400);
    expect(ErrorBodySchema.parse(response.json()).error.problems?.[0]?.path).toBe('headers.last-event-id');
  });
});
