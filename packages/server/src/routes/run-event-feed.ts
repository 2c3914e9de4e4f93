import type { RunEvent, RunEventType } from '@baton/core';

/** The events after which a run never logs again. */
const FINAL_EVENTS: ReadonlySet<RunEventType> = new Set([
  'run.completed',
  'run.failed',
  'run.cancelled',
  'run.rolled_back',
  'run.rollback_failed',
]);

/** Whether a run logs nothing after this event. */
export function isFinalEvent(event: RunEvent): boolean {
  return FINAL_EVENTS.has(event.type);
}

/** Where a {@link RunEventFeed} reads a run's log and sends its events. */
export interface RunEventFeedOptions {
  /** The seq of the last event the client has (0: none); the feed sends what follows. */
  after: number;
  /** The run's stored events with a seq greater than `afterSeq`, in order. */
  read: (afterSeq: number) => Promise<RunEvent[]>;
  /** Sends one event; called in seq order, each seq once. */
  send: (event: RunEvent) => void;
  /** Called once, when the run's final event was sent or reading the log failed; the feed sends nothing more. */
  end: (error?: unknown) => void;
}

/**
 * Puts together the events of one run from sources that each see part of them — the stored log, live events
 * heard through the bus, a poll of the store — and sends them in seq order, each once, without a gap. A live
 * event whose predecessors were not heard (a bus is best-effort: DESIGN §4) makes the feed read the gap from
 * the store first. Nothing is sent before `start`, so that a stream can subscribe before it reads its backlog.
 */
export class RunEventFeed {
  #last: number;
  #queue: RunEvent[] = [];
  /** Set when the store should be read after `#last` before anything queued is sent. */
  #readWanted = false;
  /** The `#last` the store was read after to fill a gap; a gap the store cannot fill is not read for again. */
  #gapReadAt = -1;
  #started = false;
  #pumping = false;
  #ended = false;

  constructor(private readonly options: RunEventFeedOptions) {
    this.#last = options.after;
  }

  /** The seq of the last event sent. */
  get last(): number {
    return this.#last;
  }

  /** Offers events from any source, in any order, repeated or not. */
  offer(events: readonly RunEvent[]): void {
    if (this.#ended) return;
    this.#queue = this.#queue.concat(events);
    this.#pump();
  }

  /** Reads the stored log after the last event sent: the poll of a run this process does not drive. */
  poll(): void {
    if (this.#ended) return;
    this.#readWanted = true;
    this.#pump();
  }

  /** Starts sending. */
  start(): void {
    this.#started = true;
    this.#pump();
  }

  /** Stops for good, without calling `end` (the client went away). */
  close(): void {
    this.#ended = true;
    this.#queue = [];
  }

  #pump(): void {
    if (!this.#started || this.#pumping || this.#ended) return;
    this.#pumping = true;
    this.#drain().then(
      () => {
        this.#pumping = false;
        // What was offered while the last read was awaited and after the queue ran dry.
        if (this.#queue.length > 0 || this.#readWanted) this.#pump();
      },
      (error: unknown) => {
        this.#pumping = false;
        this.#finish(error);
      },
    );
  }

  async #drain(): Promise<void> {
    while (!this.#ended) {
      if (this.#readWanted) {
        this.#readWanted = false;
        const stored = await this.options.read(this.#last);
        // Read after the await (offers may have come meanwhile); concat, as push(...) would overflow the
        // arguments of a call with a long log.
        this.#queue = this.#queue.concat(stored);
        continue;
      }
      if (this.#queue.length === 0) return;
      // Taken as a sorted batch: a backlog of thousands of events is sorted once, not once per event.
      const batch = this.#queue.sort((a, b) => a.seq - b.seq);
      this.#queue = [];
      for (const [i, next] of batch.entries()) {
        if (this.#ended) return;
        if (next.seq <= this.#last) continue;
        if (next.seq > this.#last + 1 && this.#gapReadAt !== this.#last) {
          // A gap: what is missing was committed before it was published, so the store has it.
          this.#gapReadAt = this.#last;
          this.#readWanted = true;
          this.#queue = batch.slice(i).concat(this.#queue);
          break;
        }
        this.#last = next.seq;
        this.options.send(next);
        if (isFinalEvent(next)) this.#finish();
      }
    }
  }

  #finish(error?: unknown): void {
    if (this.#ended) return;
    this.close();
    this.options.end(error);
  }
}
