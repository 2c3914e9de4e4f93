import { createHash } from 'node:crypto';

/**
 * A SHA-256 hex digest of the parts, kept apart by a separator no text contains. The same parts give the
 * same digest in every process, which is what deterministic ids and seeded randomness need.
 */
export function stableHash(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A number of `digits` decimal digits taken from the digest of the parts, zero-padded. */
export function stableDigits(digits: number, ...parts: readonly string[]): string {
  const value = BigInt(`0x${stableHash(...parts).slice(0, 15)}`) % 10n ** BigInt(digits);
  return value.toString().padStart(digits, '0');
}
