import { afterEach, beforeEach } from 'vitest';
import type { Store } from '@baton/core';

/** What an adapter's test hands the store contract suite: a fresh, empty store for one test. */
export interface StoreFixture {
  store: Store;
  /**
   * Persistent stores only: closes the store in use (if still open) and opens the same data again, as a
   * restarted process would. Stores without it skip the cases about surviving a restart.
   */
  reopen?: () => Promise<Store>;
  /** Closes whatever is still open (closing twice must be harmless) and deletes the data. */
  cleanup: () => Promise<void>;
}

/** Makes one fresh {@link StoreFixture}; called before every case of the suite. */
export type MakeStore = () => Promise<StoreFixture>;

/** The store of the case running now, for the case files of the contract suite. */
export interface StoreHarness {
  readonly store: Store;
  readonly reopen: (() => Promise<Store>) | undefined;
}

/** Registers the hooks that give each case its own store and clean it up after, and returns its handle. */
export function useStoreFixture(makeStore: MakeStore): StoreHarness {
  let current: StoreFixture | undefined;
  beforeEach(async () => {
    current = await makeStore();
  });
  afterEach(async () => {
    const fixture = current;
    current = undefined;
    await fixture?.cleanup();
  });
  const fixture = (): StoreFixture => {
    if (current === undefined) throw new Error('the store fixture is only available inside a test');
    return current;
  };
  return {
    get store() {
      return fixture().store;
    },
    get reopen() {
      return fixture().reopen;
    },
  };
}

/** Sorts copies by a string field, for comparing results whose order the contract leaves open. */
export function sortedBy<T, K extends keyof T>(items: readonly T[], key: K): T[] {
  return [...items].sort((a, b) => {
    const x = String(a[key]);
    const y = String(b[key]);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
