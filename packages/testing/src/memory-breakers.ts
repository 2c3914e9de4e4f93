import type { BreakerRecord } from '@baton/core';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The breaker table in memory (the `BreakerStore` half of `MemoryStore`), one record per agent. */
export class MemoryBreakers {
  readonly #records = new Map<string, BreakerRecord>();

  /** Every record, by agent. */
  load(): BreakerRecord[] {
    return [...this.#records.values()]
      .sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0))
      .map(copy);
  }

  /** Replaces the records of the agents named whole; of an agent named twice, the last record wins. */
  save(records: readonly BreakerRecord[]): void {
    for (const record of records) this.#records.set(record.agent, copy(record));
  }
}
