import type { Clock } from '@baton/core';

/** The wall clock, for production. Pending timers keep the process alive until they fire or are cancelled. */
export class SystemClock implements Clock {
  #last = 0;

  now(): number {
    // Never backwards, even if the system clock is stepped back.
    const now = Date.now();
    this.#last = now > this.#last ? now : this.#last;
    return this.#last;
  }

  setTimer(delayMs: number, fire: () => void): () => void {
    const handle = setTimeout(fire, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  }
}
