import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../execution/run-event.js';
import { LocalEventBus } from './local-event-bus.js';

const event = (runId: string, seq: number): RunEvent => ({ type: 'run.started', runId, seq, at: seq });

describe('LocalEventBus', () => {
  it('delivers a run\'s events in order to its listeners and every event to "*" listeners', () => {
    const bus = new LocalEventBus();
    const one: number[] = [];
    const all: string[] = [];
    bus.subscribe('r1', (e) => one.push(e.seq));
    bus.subscribe('*', (e) => all.push(`${e.runId}:${e.seq}`));
    bus.publish([event('r1', 1), event('r2', 1), event('r1', 2)]);
    expect(one).toEqual([1, 2]);
    expect(all).toEqual(['r1:1', 'r2:1', 'r1:2']);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = new LocalEventBus();
    const seen: number[] = [];
    const stop = bus.subscribe('r1', (e) => seen.push(e.seq));
    bus.publish([event('r1', 1)]);
    stop();
    bus.publish([event('r1', 2)]);
    expect(seen).toEqual([1]);
  });

  it('keeps delivering to others when a listener throws, and reports the error', () => {
    const errors: unknown[] = [];
    const bus = new LocalEventBus({ onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    bus.subscribe('r1', () => {
      throw new Error('listener bug');
    });
    bus.subscribe('r1', (e) => seen.push(e.seq));
    bus.publish([event('r1', 1)]);
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(1);
  });
});
