import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@baton/core';
import { RunEventFeed } from './routes/run-event-feed.js';

/** A run's log of `count` events: progress events, then `run.completed` when `completes`. */
function log(count: number, completes = false): RunEvent[] {
  return Array.from({ length: count }, (_v, i): RunEvent => {
    const seq = i + 1;
    return completes && seq === count
      ? { type: 'run.completed', runId: 'r', seq, at: seq, output: {}, costUsd: 0 }
      : { type: 'task.progress', runId: 'r', seq, at: seq, taskKey: 'a', nodeId: 'a' };
  });
}

/** A feed over `stored` (read as the store would), recording what it sends and whether it ended. */
function feedOver(stored: RunEvent[], after = 0) {
  const sent: number[] = [];
  const reads: number[] = [];
  let ended: { error?: unknown } | undefined;
  const feed = new RunEventFeed({
    after,
    read: (afterSeq) => {
      reads.push(afterSeq);
      return Promise.resolve(stored.filter((e) => e.seq > afterSeq));
    },
    send: (event) => sent.push(event.seq),
    end: (error) => (ended = { error }),
  });
  return { feed, sent, reads, ended: () => ended };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the feed of a run event stream', () => {
  it('sends nothing before it starts, then each seq once and in order, whatever the sources give', async () => {
    const stored = log(6);
    const { feed, sent } = feedOver(stored);
    feed.offer([stored[1]!, stored[0]!]);
    expect(sent).toEqual([]);
    feed.start();
    await settle();
    feed.offer([stored[0]!, stored[1]!, stored[2]!]);
    feed.offer([stored[2]!]);
    await settle();
    expect(sent).toEqual([1, 2, 3]);
    expect(feed.last).toBe(3);
  });

  it('reads a gap from the store before it sends what follows it', async () => {
    const stored = log(6);
    const { feed, sent, reads } = feedOver(stored, 1);
    feed.start();
    feed.offer([stored[4]!]);
    await settle();
    expect(reads).toEqual([1]);
    expect(sent).toEqual([2, 3, 4, 5, 6]);
  });

  it('keeps what is offered while it reads the store', async () => {
    const all = log(4);
    const { feed, sent } = feedOver(all.slice(0, 3));
    feed.start();
    feed.poll();
    feed.offer([all[3]!]);
    await settle();
    expect(sent).toEqual([1, 2, 3, 4]);
  });

  it('polls the store from the last seq sent, and ends after the final event', async () => {
    const stored = log(3);
    const { feed, sent, reads, ended } = feedOver(stored);
    feed.start();
    feed.poll();
    await settle();
    expect(sent).toEqual([1, 2, 3]);
    stored.push(...log(5, true).slice(3));
    feed.poll();
    await settle();
    expect(reads).toEqual([0, 3]);
    expect(sent).toEqual([1, 2, 3, 4, 5]);
    expect(ended()).toEqual({ error: undefined });
    feed.poll();
    feed.offer(log(7));
    await settle();
    expect(reads).toEqual([0, 3]);
    expect(sent).toEqual([1, 2, 3, 4, 5]);
  });

  it('ends with the error when the store cannot be read, and sends nothing once closed', async () => {
    const failure = new Error('disk gone');
    const sent: number[] = [];
    let ended: unknown;
    const feed = new RunEventFeed({
      after: 0,
      read: () => Promise.reject(failure),
      send: (event) => sent.push(event.seq),
      end: (error) => (ended = error),
    });
    feed.start();
    feed.poll();
    await settle();
    expect(ended).toBe(failure);

    const { feed: closed, sent: none } = feedOver(log(2));
    closed.start();
    closed.close();
    closed.offer(log(2));
    await settle();
    expect(none).toEqual([]);
    expect(sent).toEqual([]);
  });
});
