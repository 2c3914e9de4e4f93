export { ManualClock } from './manual-clock.js';
export { MemoryStore } from './memory-store.js';
export { MemoryBlobStore } from './memory-blob-store.js';
export { SequentialIdSource, type SequentialIdSourceOptions } from './sequential-id-source.js';
export { storeContract } from './store-contract.js';
export { type MakeStore, type StoreFixture } from './store-harness.js';
export { blobStoreContract, type BlobStoreFixture } from './blob-store-contract.js';
export { sampleEvent, sampleRun, sampleTask, sampleWorkflow } from './store-fixtures.js';
