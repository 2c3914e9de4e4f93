import { describe, expect, it } from 'vitest';
import type { EventBus, RunEvent } from '@baton/core';

const event = (runId: string, seq: number): RunEvent => ({ type: 'run.started', runId, seq, at: seq });

/**
 * The `EventBus` contract: per-run and all-run delivery in publish order, unsubscribe, and isolation of a
 * throwing listener (reported through the factory's error callback). Every bus adapter runs it.
 */
export function eventBusContract(
  name: string,
  make: (onListenerError: (error: unknown) => void) => EventBus,
): void {
  describe(`${name} (EventBus contract)`, () => {
    it('delivers a run\'s events in order to its listeners and every event to "*" listeners', () => {
      const bus = make(() => undefined);
      const one: number[] = [];
      const all: string[] = [];
      bus.subscribe('r1', (e) => one.push(e.seq));
      bus.subscribe('*', (e) => all.push(`${e.runId}:${e.seq}`));
      bus.publish([event('r1', 1), event('r2', 1), event('r1', 2)]);
      expect(one).toEqual([1, 2]);
      expect(all).toEqual(['r1:1', 'r2:1', 'r1:2']);
    });

    it('stops delivering after unsubscribe', () => {
      const bus = make(() => undefined);
      const seen: number[] = [];
      const stop = bus.subscribe('r1', (e) => seen.push(e.seq));
      bus.publish([event('r1', 1)]);
      stop();
      bus.publish([event('r1', 2)]);
      expect(seen).toEqual([1]);
    });

    it('keeps delivering to others when a listener throws, and reports the error', () => {
      const errors: unknown[] = [];
      const bus = make((e) => errors.push(e));
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
}
