/**
 * The engine's only source of time. Core never reads the wall clock: production passes a system clock,
 * tests pass a manual one and move time by hand, so nothing sleeps.
 *
 * Contract: `now()` never goes backwards within one clock; a timer fires at most once, not before its
 * deadline, and never after its cancel function was called. Timers due at the same moment fire in the order
 * they were set.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fire` once, `delayMs` from now. Returns a function that cancels it. */
  setTimer(delayMs: number, fire: () => void): () => void;
}
