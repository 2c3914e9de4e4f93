import { breakerFromRow, type BreakerRecord, type BreakerRow } from '@baton/core';
import type { Statement } from './postgres-statements.js';
import type { RunStatement } from './postgres-work.js';

/** Every breaker, by agent. */
export const LOAD_BREAKERS: Statement = {
  name: 'baton_load_breakers',
  text: 'SELECT agent, state, changed_at, retry_at, reason, trips FROM breakers ORDER BY agent',
};

/** Upserts the records, one per agent, bound as column arrays; a record replaces the stored one whole. */
export const SAVE_BREAKERS: Statement = {
  name: 'baton_save_breakers',
  text: `
    INSERT INTO breakers (agent, state, changed_at, retry_at, reason, trips)
    SELECT * FROM unnest($1::text[], $2::text[], $3::double precision[], $4::double precision[], $5::text[],
                         $6::integer[])
    ON CONFLICT (agent) DO UPDATE SET
      state = excluded.state, changed_at = excluded.changed_at, retry_at = excluded.retry_at,
      reason = excluded.reason, trips = excluded.trips`,
};

/** The `BreakerStore` half of `PostgresStore`: a load or a save is one statement. */
export class PostgresBreakers {
  constructor(private readonly run: RunStatement) {}

  async load(): Promise<BreakerRecord[]> {
    return (await this.run<BreakerRow>('loading breakers', LOAD_BREAKERS, () => [])).map(breakerFromRow);
  }

  async save(records: readonly BreakerRecord[]): Promise<void> {
    // One statement cannot upsert a row twice: of an agent named twice the last record wins, as in order.
    const last = [...new Map(records.map((record) => [record.agent, record])).values()];
    if (last.length === 0) return;
    await this.run('saving breakers', SAVE_BREAKERS, () => [
      last.map((r) => r.agent),
      last.map((r) => r.state),
      last.map((r) => r.changedAt),
      last.map((r) => r.retryAt ?? null),
      last.map((r) => r.reason ?? null),
      last.map((r) => r.trips),
    ]);
  }
}
