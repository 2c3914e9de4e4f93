import { describe, expect, it } from 'vitest';
import { blobStoreContract } from './blob-store-contract.js';
import { MemoryBlobStore } from './memory-blob-store.js';

blobStoreContract('MemoryBlobStore', () =>
  Promise.resolve({ blobs: new MemoryBlobStore(), cleanup: () => Promise.resolve() }),
);

describe('MemoryBlobStore', () => {
  it('counts the blobs it holds', async () => {
    const blobs = new MemoryBlobStore();
    await blobs.put('a', new Uint8Array([1]));
    await blobs.put('b', new Uint8Array([2]));
    await blobs.delete('a');
    expect(blobs.size).toBe(1);
  });
});
