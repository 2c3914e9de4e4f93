import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('stands still until advanced', () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
  });

  it('fires due timers in deadline order, reading each deadline as now', () => {
    const clock = new ManualClock(0);
    const fired: [string, number][] = [];
    clock.setTimer(30, () => fired.push(['c', clock.now()]));
    clock.setTimer(10, () => fired.push(['a', clock.now()]));
    clock.setTimer(10, () => fired.push(['b', clock.now()]));
    clock.advance(20);
    expect(fired).toEqual([
      ['a', 10],
      ['b', 10],
    ]);
    clock.advance(10);
    expect(fired.at(-1)).toEqual(['c', 30]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires timers set while firing when they fall due within the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(5, () => {
      fired.push(clock.now());
      clock.setTimer(5, () => fired.push(clock.now()));
    });
    clock.advance(10);
    expect(fired).toEqual([5, 10]);
  });

  it('never fires a cancelled timer', () => {
    const clock = new ManualClock(0);
    let fired = false;
    const cancel = clock.setTimer(5, () => (fired = true));
    cancel();
    clock.advance(10);
    expect(fired).toBe(false);
  });

  it('jumps to the next deadline with runNext and refuses to go backwards', () => {
    const clock = new ManualClock(0);
    clock.setTimer(1_000, () => undefined);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(1_000);
    expect(clock.runNext()).toBe(false);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
