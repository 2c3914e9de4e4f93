import { NotFoundError, type BlobStore } from '@baton/core';

/**
 * A `BlobStore` held in a map, for tests and single-process demos. Keeps its own copy of every blob and
 * hands out copies, so neither side can change the other's bytes. Deleting an unknown key does nothing.
 */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();

  put(key: string, data: Uint8Array): Promise<void> {
    this.#blobs.set(key, data.slice());
    return Promise.resolve();
  }

  get(key: string): Promise<Uint8Array> {
    const data = this.#blobs.get(key);
    if (data === undefined) return Promise.reject(new NotFoundError(`no blob is stored under "${key}"`));
    return Promise.resolve(data.slice());
  }

  delete(key: string): Promise<void> {
    this.#blobs.delete(key);
    return Promise.resolve();
  }

  /** How many blobs are stored, for tests that check clean-up. */
  get size(): number {
    return this.#blobs.size;
  }
}
