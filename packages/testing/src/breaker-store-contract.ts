import { describe, expect, it } from 'vitest';
import type { BreakerRecord, BreakerStore, Store } from '@baton/core';
import { sortedBy, useStoreFixture, type MakeStore } from './store-harness.js';

const NO_REOPEN = 'the store keeps nothing across a restart (its fixture has no reopen)';

/** An open breaker of `agent` with every optional field set. */
function opened(agent: string, overrides: Partial<BreakerRecord> = {}): BreakerRecord {
  return {
    agent,
    state: 'open',
    changedAt: 1_000,
    retryAt: 31_000,
    reason: '5 of 10 calls failed in 60 s; last: TIMEOUT "Ünïcode"',
    trips: 1,
    ...overrides,
  };
}

/** A closed breaker of `agent` with no optional field set. */
function closed(agent: string, overrides: Partial<BreakerRecord> = {}): BreakerRecord {
  return { agent, state: 'closed', changedAt: 2_000, trips: 1, ...overrides };
}

/**
 * Registers the `BreakerStore` contract suite for a store that keeps circuit breakers: upserts by agent that
 * replace a record whole and keep the others, and copies on read and write. Stores that implement it run it
 * beside the `Store` contract; the fixture's store must implement `BreakerStore`.
 */
export function breakerStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name} satisfies the BreakerStore contract`, () => {
    const h = useStoreFixture(makeStore);
    const store = (): Store & BreakerStore => h.store as Store & BreakerStore;
    const load = async (from: BreakerStore = store()): Promise<BreakerRecord[]> =>
      sortedBy(await from.loadBreakers(), 'agent');

    it('has no breakers before any is saved', async () => {
      expect(await store().loadBreakers()).toEqual([]);
    });

    it('reads saved records back, every agent once', async () => {
      const records = [
        opened('summarizer@1.0.0'),
        closed('extractor@2.0.0'),
        opened('a@1', { state: 'half_open' }),
      ];
      await store().saveBreakers(records);
      expect(await load()).toStrictEqual(sortedBy(records, 'agent'));
    });

    it('replaces the record of an agent whole and keeps the others', async () => {
      await store().saveBreakers([opened('summarizer@1.0.0'), opened('extractor@2.0.0', { trips: 3 })]);
      const recovered = closed('summarizer@1.0.0', { changedAt: 40_000 });
      await store().saveBreakers([recovered]);
      expect(await load()).toStrictEqual([opened('extractor@2.0.0', { trips: 3 }), recovered]);
    });

    it('keeps the last record of an agent named twice in one save', async () => {
      await store().saveBreakers([
        opened('summarizer@1.0.0'),
        closed('summarizer@1.0.0', { trips: 2 }),
        opened('extractor@2.0.0'),
      ]);
      expect(await load()).toStrictEqual([
        opened('extractor@2.0.0'),
        closed('summarizer@1.0.0', { trips: 2 }),
      ]);
    });

    it('changes nothing when saving no records', async () => {
      await store().saveBreakers([opened('summarizer@1.0.0')]);
      await store().saveBreakers([]);
      expect(await load()).toStrictEqual([opened('summarizer@1.0.0')]);
    });

    it('returns copies: changing what was saved or read changes nothing stored', async () => {
      const saved = opened('summarizer@1.0.0');
      await store().saveBreakers([saved]);
      saved.trips = 9;
      const [read] = await store().loadBreakers();
      read!.state = 'closed';
      expect(await load()).toStrictEqual([opened('summarizer@1.0.0')]);
    });

    it('keeps breakers across a reopen', async (context) => {
      const reopen = h.reopen;
      if (reopen === undefined) return context.skip(NO_REOPEN);
      await store().saveBreakers([opened('summarizer@1.0.0'), closed('extractor@2.0.0')]);
      const again = (await reopen()) as Store & BreakerStore;
      expect(await load(again)).toStrictEqual([closed('extractor@2.0.0'), opened('summarizer@1.0.0')]);
    });
  });
}
