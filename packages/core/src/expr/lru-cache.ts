/**
 * A bounded map that forgets the least recently used entry when full. Relies on `Map` keeping insertion
 * order: a hit moves the key to the end, so the first key is always the least recently used.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;
  // The most recent key; hits on it skip the reordering, which is the common case in a hot loop.
  #newest: K | undefined;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** The value for `key`, marking it as the most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined && key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
      this.#newest = key;
    }
    return value;
  }

  /** Stores `value` for `key`, evicting the least recently used entry if the cache is full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
    this.#newest = key;
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }
}
