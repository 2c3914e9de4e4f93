import type { IdSource } from '@baton/core';

/** Options of a {@link SequentialIdSource}. */
export interface SequentialIdSourceOptions {
  /**
   * Pads the counter with zeros to this many digits (`run_0001`), so that ids also sort by creation as
   * strings past nine per prefix. Default 0: no padding (`run_1`, `run_2`, …, `run_10`).
   */
  width?: number;
}

/**
 * An `IdSource` for tests: `run_1`, `run_2`, … with one counter per prefix, so every run of a test makes the
 * same ids. Without `width`, ids sort by creation as strings only up to nine per prefix; tests that sort by
 * id and make more should pass a width.
 */
export class SequentialIdSource implements IdSource {
  readonly #counters = new Map<string, number>();
  readonly #width: number;

  constructor(options: SequentialIdSourceOptions = {}) {
    this.#width = options.width ?? 0;
  }

  next(prefix: string): string {
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    return `${prefix}_${String(n).padStart(this.#width, '0')}`;
  }
}
