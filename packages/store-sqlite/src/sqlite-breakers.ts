import type Database from 'better-sqlite3';
import { breakerFromRow, type BreakerRecord, type BreakerRow } from '@baton/core';

type BreakerParams = [string, string, number, number | null, string | null, number];

/**
 * The breaker table of `SqliteStore` (its `BreakerStore` half). A save is one transaction, so a process
 * reading the table never sees half of a batch.
 */
export class SqliteBreakers {
  readonly #select: Database.Statement<[], BreakerRow>;
  readonly #saveTx: Database.Transaction<(records: readonly BreakerRecord[]) => void>;

  constructor(db: Database.Database) {
    this.#select = db.prepare<[], BreakerRow>('SELECT * FROM breakers ORDER BY agent');
    const upsert = db.prepare<BreakerParams>(
      `INSERT INTO breakers (agent, state, changed_at, retry_at, reason, trips) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent) DO UPDATE SET
         state = excluded.state, changed_at = excluded.changed_at, retry_at = excluded.retry_at,
         reason = excluded.reason, trips = excluded.trips`,
    );
    this.#saveTx = db.transaction((records: readonly BreakerRecord[]) => {
      for (const r of records) {
        upsert.run(r.agent, r.state, r.changedAt, r.retryAt ?? null, r.reason ?? null, r.trips);
      }
    });
  }

  load(): BreakerRecord[] {
    return this.#select.all().map(breakerFromRow);
  }

  save(records: readonly BreakerRecord[]): void {
    if (records.length > 0) this.#saveTx.immediate(records);
  }
}
