import { stableHash } from '../stable-hash.js';

/**
 * A pseudo-random source in [0, 1) seeded from text (sfc32 seeded by SHA-256). The same seed always gives the
 * same sequence, so a simulated agent seeded with an idempotency key behaves the same on every replay.
 */
export function seededRandom(seed: string): () => number {
  const digest = stableHash(seed);
  let a = Number.parseInt(digest.slice(0, 8), 16) >>> 0;
  let b = Number.parseInt(digest.slice(8, 16), 16) >>> 0;
  let c = Number.parseInt(digest.slice(16, 24), 16) >>> 0;
  let d = Number.parseInt(digest.slice(24, 32), 16) >>> 0;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // The first outputs of sfc32 still carry the seed's structure; discard a few.
  for (let i = 0; i < 12; i++) next();
  return next;
}
