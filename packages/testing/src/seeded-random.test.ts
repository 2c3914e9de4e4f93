import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('gives the same sequence for the same seed, another for another seed, all in [0, 1)', () => {
    const take = (seed: number) => {
      const next = seededRandom(seed);
      return Array.from({ length: 1_000 }, () => next());
    };
    const a = take(7);
    expect(take(7)).toEqual(a);
    expect(take(8)).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    // Spread over the interval, not stuck in a corner of it.
    const mean = a.reduce((sum, x) => sum + x, 0) / a.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(new Set(a).size).toBe(a.length);
  });
});
