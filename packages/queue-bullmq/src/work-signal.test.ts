import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BULLMQ_MAX_PRIORITY,
  bullmqPriority,
  poolQueueName,
  taskKeyOfJobId,
  workJobId,
} from './work-signal.js';

describe('workJobId', () => {
  it('gives the same id for the same run, task and attempt, and different ids otherwise', () => {
    const id = workJobId({ runId: 'r1', taskKey: 'extract', attempt: 1 });
    expect(workJobId({ runId: 'r1', taskKey: 'extract', attempt: 1 })).toBe(id);
    expect(workJobId({ runId: 'r1', taskKey: 'extract', attempt: 2 })).not.toBe(id);
    expect(workJobId({ runId: 'r1', taskKey: 'draft', attempt: 1 })).not.toBe(id);
    expect(workJobId({ runId: 'r2', taskKey: 'extract', attempt: 1 })).not.toBe(id);
  });

  it('never contains ":" nor reads as an integer, as BullMQ requires', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), (runId, taskKey, attempt) => {
        const id = workJobId({ runId, taskKey, attempt });
        expect(id).not.toContain(':');
        expect(`${parseInt(id, 10)}`).not.toBe(id);
      }),
    );
  });

  it('keeps parts apart even when they contain the separator', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (r1, t1, r2, t2) => {
        fc.pre(r1 !== r2 || t1 !== t2);
        const a = workJobId({ runId: r1, taskKey: t1, attempt: 1 });
        expect(workJobId({ runId: r2, taskKey: t2, attempt: 1 })).not.toBe(a);
        expect(taskKeyOfJobId(a)).toBe(t1);
      }),
    );
    expect(workJobId({ runId: 'a/b', taskKey: 'c', attempt: 1 })).not.toBe(
      workJobId({ runId: 'a', taskKey: 'b/c', attempt: 1 }),
    );
  });

  it('rejects an attempt that is not a non-negative integer', () => {
    expect(() => workJobId({ runId: 'r', taskKey: 't', attempt: 1.5 })).toThrow(RangeError);
    expect(() => workJobId({ runId: 'r', taskKey: 't', attempt: -1 })).toThrow(RangeError);
  });
});

describe('poolQueueName', () => {
  it('turns any pool into a queue name without ":"', () => {
    expect(poolQueueName('default')).toBe('pool-default');
    expect(poolQueueName('domain:legal')).toBe('pool-domain%3Alegal');
    fc.assert(
      fc.property(fc.string(), (pool) => {
        expect(poolQueueName(pool)).not.toContain(':');
      }),
    );
  });
});

describe('bullmqPriority', () => {
  const inRange = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= BULLMQ_MAX_PRIORITY;

  it('stays within BullMQ range and above 0 (which would jump the queue) for any input', () => {
    for (const p of [
      bullmqPriority(0, 0),
      bullmqPriority(100, 0),
      bullmqPriority(0, Number.MAX_VALUE),
      bullmqPriority(100, Infinity),
      bullmqPriority(-5, -5),
      bullmqPriority(500, 1e12),
      bullmqPriority(Number.NaN, Number.NaN),
    ]) {
      expect(inRange(p)).toBe(true);
    }
    fc.assert(
      fc.property(fc.double(), fc.double(), (prio, rank) => {
        expect(inRange(bullmqPriority(prio, rank))).toBe(true);
      }),
    );
  });

  it('runs a higher run priority first, whatever the ranks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.nat(), fc.nat(), (prio, rankLow, rankHigh) => {
        expect(bullmqPriority(prio + 1, rankLow)).toBeLessThan(bullmqPriority(prio, rankHigh));
      }),
    );
  });

  it('runs a higher rank first within a run priority, never reversing the order', () => {
    expect(bullmqPriority(50, 1_000)).toBeLessThan(bullmqPriority(50, 999));
    expect(bullmqPriority(50, 60_000)).toBeLessThan(bullmqPriority(50, 59_900));
    expect(bullmqPriority(50, 3_600_000)).toBeLessThan(bullmqPriority(50, 3_590_000));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.nat(), fc.nat(), (prio, a, b) => {
        if (a > b) expect(bullmqPriority(prio, a)).toBeLessThanOrEqual(bullmqPriority(prio, b));
      }),
    );
  });

  it('treats NaN as the lowest priority and rank', () => {
    expect(bullmqPriority(Number.NaN, 10)).toBe(bullmqPriority(0, 10));
    expect(bullmqPriority(10, Number.NaN)).toBe(bullmqPriority(10, 0));
  });
});
