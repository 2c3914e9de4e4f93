import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '@baton/core';

/** What an adapter's test hands the blob store contract suite: a fresh, empty blob store for one test. */
export interface BlobStoreFixture {
  blobs: BlobStore;
  /** Deletes whatever the case stored. */
  cleanup: () => Promise<void>;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Compares bytes directly: deep equality walks a megabyte element by element and takes seconds. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * Registers the `BlobStore` contract suite (vitest `describe`/`it`) for one adapter: round trips of empty,
 * binary and 1 MB blobs, idempotent `put`, `NotFoundError` for unknown keys, `delete`, and copies both ways.
 * `makeBlobStore` is called before each case; its `cleanup` runs after it.
 */
export function blobStoreContract(name: string, makeBlobStore: () => Promise<BlobStoreFixture>): void {
  describe(`${name} satisfies the BlobStore contract`, () => {
    let current: BlobStoreFixture | undefined;
    beforeEach(async () => {
      current = await makeBlobStore();
    });
    afterEach(async () => {
      const fixture = current;
      current = undefined;
      await fixture?.cleanup();
    });
    const blobs = (): BlobStore => {
      if (current === undefined) throw new Error('the blob store fixture is only available inside a test');
      return current.blobs;
    };

    it('gives back the bytes put under a key', async () => {
      const data = new Uint8Array([0, 1, 2, 253, 254, 255]);
      await blobs().put('runs/run_1/a.bin', data);
      expect(await blobs().get('runs/run_1/a.bin')).toEqual(data);
    });

    it('round-trips an empty blob and a 1 MB blob', async () => {
      const large = new Uint8Array(1024 * 1024).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
      await blobs().put('empty', new Uint8Array(0));
      await blobs().put('large', large);
      expect(await blobs().get('empty')).toEqual(new Uint8Array(0));
      const read = await blobs().get('large');
      expect(read).toHaveLength(large.length);
      expect(sameBytes(read, large)).toBe(true);
    });

    it('accepts the same key and bytes again', async () => {
      await blobs().put('k', bytes('same'));
      await blobs().put('k', bytes('same'));
      expect(await blobs().get('k')).toEqual(bytes('same'));
    });

    it('keeps keys apart, including unicode and nested ones', async () => {
      const keys = ['a', 'a/b', 'a/b/c', 'résumé/世界-🚀'];
      for (const key of keys) await blobs().put(key, bytes(`value of ${key}`));
      for (const key of keys) expect(await blobs().get(key)).toEqual(bytes(`value of ${key}`));
    });

    it('rejects a get of an unknown key with a not-found error', async () => {
      await expect(blobs().get('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('deletes a blob, and deleting an unknown key does nothing', async () => {
      await blobs().put('k', bytes('value'));
      await blobs().delete('k');
      await expect(blobs().get('k')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await blobs().delete('k');
      await blobs().delete('never-stored');
    });

    it('keeps its own copy: changing the bytes after put or after get changes nothing stored', async () => {
      const data = bytes('original');
      await blobs().put('k', data);
      data.fill(0);
      const read = await blobs().get('k');
      read.fill(1);
      expect(await blobs().get('k')).toEqual(bytes('original'));
    });
  });
}
