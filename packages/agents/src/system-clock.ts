import type { Clock } from '@baton/core';

/** The wall clock, used when a runtime is given none. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fire) {
    const handle = setTimeout(fire, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};
