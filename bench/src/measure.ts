import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One measured figure and the budget it is held to (DESIGN §7); every suite reports these. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  budget: string;
  met: boolean;
}

export const MB = 2 ** 20;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `once` `times` times, one after another, and returns the median of each figure it returns. */
export async function medians<K extends string>(
  times: number,
  once: () => Promise<Record<K, number>>,
): Promise<Record<K, number>> {
  const results: Record<K, number>[] = [];
  for (let i = 0; i < times; i++) results.push(await once());
  const keys = Object.keys(results[0] ?? {}) as K[];
  return Object.fromEntries(keys.map((k) => [k, median(results.map((r) => r[k]))])) as Record<K, number>;
}

export const round = (value: number, digits: number): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

let gc: (() => void) | undefined;

/** A full garbage collection, so that RSS baselines count live memory, not garbage of an earlier workload. */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    const found: unknown = runInNewContext('gc');
    gc = typeof found === 'function' ? (found as () => void) : () => undefined;
  }
  gc();
}

/** Samples `process.memoryUsage().rss` every 10 ms until stopped; returns the highest sample. */
export function rssSampler(): { stop: () => number } {
  let peak = 0;
  const sample = (): number => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 10);
  sample();
  return {
    stop: () => {
      clearInterval(timer);
      return sample();
    },
  };
}

/**
 * Bytes this process has handed to `write()` so far (Linux `/proc/self/io` `wchar`): the SQLite WAL frames, the
 * checkpoints into the database file and anything else written. Undefined where the kernel does not say.
 */
export function bytesWritten(): number | undefined {
  try {
    const match = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
