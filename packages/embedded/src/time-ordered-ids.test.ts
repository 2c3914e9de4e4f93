import { describe, expect, it } from 'vitest';
import { TimeOrderedIds } from './time-ordered-ids.js';

describe('TimeOrderedIds', () => {
  it('makes ids that sort by creation time, also within one millisecond', () => {
    let now = 1_700_000_000_000;
    const ids = new TimeOrderedIds(() => now);
    const made = [ids.next('run'), ids.next('run'), ids.next('run')];
    now += 1;
    made.push(ids.next('run'));
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(4);
    expect(made[0]).toMatch(/^run_[0-9a-z]{12}_[0-9a-z]{8}$/);
  });

  it('never repeats across sources created at the same moment', () => {
    const a = new TimeOrderedIds(() => 5);
    const b = new TimeOrderedIds(() => 5);
    expect(a.next('run')).not.toBe(b.next('run'));
  });
});
