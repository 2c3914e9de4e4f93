import { randomBytes } from 'node:crypto';
import type { IdSource } from '@baton/core';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Ids like `run_0mfx3k2a9c_4h7q2x9p`: a prefix, the creation time in base 36 (fixed width, so ids sort by
 * time as strings), a per-millisecond counter, and random characters so that processes never collide.
 */
export class TimeOrderedIds implements IdSource {
  #lastMs = -1;
  #counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(prefix: string): string {
    const ms = this.now();
    if (ms === this.#lastMs) this.#counter++;
    else {
      this.#lastMs = ms;
      this.#counter = 0;
    }
    const time = ms.toString(36).padStart(9, '0') + this.#counter.toString(36).padStart(3, '0');
    const random = [...randomBytes(8)].map((b) => ALPHABET[b % 36]).join('');
    return `${prefix}_${time}_${random}`;
  }
}
