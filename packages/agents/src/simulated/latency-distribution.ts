/**
 * How long a simulated agent takes, in milliseconds. `log-normal` is the usual shape of service latency: most
 * calls near the median, a long tail of slow ones; `sigma` is the standard deviation of its logarithm.
 */
export type LatencyDistribution =
  | { type: 'fixed'; ms: number }
  | { type: 'uniform'; minMs: number; maxMs: number }
  | { type: 'normal'; meanMs: number; stdDevMs: number }
  | { type: 'log-normal'; medianMs: number; sigma: number };

/** Draws one latency, a whole number of milliseconds ≥ 0, using the given source of randomness. */
export function sampleLatency(distribution: LatencyDistribution, random: () => number): number {
  switch (distribution.type) {
    case 'fixed':
      return Math.max(0, Math.round(distribution.ms));
    case 'uniform':
      return Math.max(
        0,
        Math.round(distribution.minMs + random() * (distribution.maxMs - distribution.minMs)),
      );
    case 'normal':
      return Math.max(0, Math.round(distribution.meanMs + distribution.stdDevMs * standardNormal(random)));
    case 'log-normal':
      return Math.max(
        0,
        Math.round(distribution.medianMs * Math.exp(distribution.sigma * standardNormal(random))),
      );
  }
}

/** The expected value of the distribution, for planning and display. */
export function meanLatency(distribution: LatencyDistribution): number {
  switch (distribution.type) {
    case 'fixed':
      return distribution.ms;
    case 'uniform':
      return (distribution.minMs + distribution.maxMs) / 2;
    case 'normal':
      return distribution.meanMs;
    case 'log-normal':
      return distribution.medianMs * Math.exp((distribution.sigma * distribution.sigma) / 2);
  }
}

/** One draw of a standard normal variable (Box–Muller). */
function standardNormal(random: () => number): number {
  // 1 - random() lies in (0, 1], so the logarithm is finite.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
