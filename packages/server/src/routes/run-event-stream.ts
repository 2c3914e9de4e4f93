import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FINAL_RUN_STATUSES, NotFoundError, type RunEvent } from '@baton/core';
import type { Baton } from '@baton/embedded';
import { LastEventIdSchema, RunEventStreamQuerySchema, RunIdParamsSchema } from '@baton/protocol';
import { ApiError } from '../api-error.js';
import { parseRequest } from '../parse-request.js';
import { RunEventFeed } from './run-event-feed.js';

/** How often an open stream sends a comment, so that proxies and clients do not take a quiet run for a dead link. */
export const HEARTBEAT_MS = 15_000;
/** How often a stream reads the store for the events of a run another process drives. */
export const POLL_MS = 500;

/** How often streams send a heartbeat and poll the store; the defaults above unless a deployment says. */
export interface StreamTiming {
  heartbeatMs?: number;
  pollMs?: number;
}

/**
 * `GET /runs/:id/events/stream`: the run's events as Server-Sent Events (`id:` the seq, `data:` the event as
 * JSON). First the stored events after `Last-Event-ID` (or `?after=`), then the live ones, in seq order, each
 * once and without a gap; the stream ends after the run's final event. A run already over with nothing after
 * `after` answers 204, which tells an `EventSource` to stop reconnecting.
 *
 * Live events come from `baton.subscribe`, which hears the runs this process drives. For a run another process
 * drives (`baton.drives` is false) the stream reads the store every {@link POLL_MS} instead, so its events come
 * up to half a second late. Streams still open when the server closes end, and clients reconnect with
 * `Last-Event-ID` to another server.
 */
export function runEventStreamRoutes(app: FastifyInstance, baton: Baton, timing: StreamTiming = {}): void {
  const heartbeatMs = timing.heartbeatMs ?? HEARTBEAT_MS;
  const pollMs = timing.pollMs ?? POLL_MS;
  const open = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    done();
  });

  // No HEAD twin: a stream has no headers to give without starting.
  app.get('/runs/:id/events/stream', { exposeHeadRoute: false }, async (request, reply) => {
    const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
    const query = parseRequest(RunEventStreamQuerySchema, request.query, 'query');
    const after = lastEventId(request) ?? query.after ?? 0;
    const raw = reply.raw;
    const feed = new RunEventFeed({
      after,
      read: (afterSeq) => baton.readEvents(id, afterSeq),
      send: (event) => raw.write(frame(event)),
      end: () => end(),
    });
    // Subscribed before the backlog is read, so that nothing logged in between is missed; the feed drops
    // what both give.
    const unsubscribe = baton.subscribe(id, (event) => feed.offer([event]));
    let backlog: RunEvent[];
    try {
      backlog = await backlogOf(baton, id, after);
    } catch (error) {
      unsubscribe();
      throw error;
    }
    if (backlog === NOTHING_MORE) {
      unsubscribe();
      return reply.code(204).send();
    }

    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Nginx and the like would otherwise hold events back in a buffer.
      'x-accel-buffering': 'no',
    });
    raw.write(': stream of run events\n\n');
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
    const poll = setInterval(() => {
      if (!baton.drives(id)) feed.poll();
    }, pollMs);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      open.delete(end);
      clearInterval(heartbeat);
      clearInterval(poll);
      unsubscribe();
      feed.close();
      endResponse(raw);
    };
    open.add(end);
    raw.on('close', end);
    feed.offer(backlog);
    feed.start();
    return reply;
  });
}

/** The backlog of a run that is over and has nothing after `after`. */
const NOTHING_MORE: RunEvent[] = [];

/**
 * The stored events after `after`; {@link NOTHING_MORE} when the run is over and has none; `NotFoundError` for an
 * unknown run.
 */
async function backlogOf(baton: Baton, runId: string, after: number): Promise<RunEvent[]> {
  const backlog = await baton.readEvents(runId, after);
  if (backlog.length > 0) return backlog;
  const details = await baton.getRun(runId);
  if (!details) throw new NotFoundError(`no run "${runId}"`, { details: { runId } });
  if (!FINAL_RUN_STATUSES.has(details.run.status)) return backlog;
  // The run may have ended between the two reads: its last events are then in the log.
  const last = await baton.readEvents(runId, after);
  return last.length > 0 ? last : NOTHING_MORE;
}

/** One event as an SSE frame. JSON has no raw line breaks, so `data` is one line. */
function frame(event: RunEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The seq a reconnecting client last received, from its `Last-Event-ID` header. */
function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  if (header === undefined) return undefined;
  const parsed = LastEventIdSchema.safeParse(header);
  if (parsed.success) return parsed.data;
  const message = 'must be the seq of an event the stream sent: a whole number';
  throw new ApiError(400, 'INVALID_REQUEST', `invalid Last-Event-ID header: ${message}`, [
    { code: 'INVALID_VALUE', path: 'headers.last-event-id', message, severity: 'error' },
  ]);
}

function endResponse(raw: ServerResponse): void {
  if (!raw.writableEnded) raw.end();
}
