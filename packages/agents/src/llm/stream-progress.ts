import type { Clock } from '@baton/core';

/** How often a streamed answer is reported: whichever of the two comes first. */
export interface StreamProgressOptions {
  /** Report once this many characters arrived since the last report. */
  readonly everyChars: number;
  /** Report text that arrived when this many milliseconds passed since the last report. */
  readonly everyMs: number;
}

/** What one progress report carries as its `data`. */
export interface StreamProgressData {
  /** The text that arrived since the previous report. */
  readonly delta: string;
  /** Characters streamed so far. */
  readonly chars: number;
}

/**
 * Turns the many small deltas of a streamed answer into few progress reports: each one carries the text
 * since the previous report, once `everyChars` characters have gathered or `everyMs` have passed. Progress
 * lands in the run's event log, so a report per token would flood it. Time is checked as deltas arrive (no
 * timer to cancel); `flush` reports what is left when the stream ends.
 */
export class StreamProgress {
  readonly #report: (message: string, data: StreamProgressData) => void;
  readonly #clock: Clock;
  readonly #options: StreamProgressOptions;
  #pending = '';
  #chars = 0;
  #lastReport: number;

  constructor(
    report: (message: string, data: StreamProgressData) => void,
    clock: Clock,
    options: StreamProgressOptions,
  ) {
    this.#report = report;
    this.#clock = clock;
    this.#options = options;
    this.#lastReport = clock.now();
  }

  /** Takes one delta of the answer. */
  add(delta: string): void {
    if (delta === '') return;
    this.#pending += delta;
    this.#chars += delta.length;
    const due =
      this.#pending.length >= this.#options.everyChars ||
      this.#clock.now() - this.#lastReport >= this.#options.everyMs;
    if (due) this.flush();
  }

  /** Reports what has not been reported yet, if anything. */
  flush(): void {
    if (this.#pending === '') return;
    const delta = this.#pending;
    this.#pending = '';
    this.#lastReport = this.#clock.now();
    this.#report(`streamed ${this.#chars} characters`, { delta, chars: this.#chars });
  }
}
