import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { sampleRun } from './store-fixtures.js';
import { storeContract } from './store-contract.js';
import { workStoreContract } from './work-store-contract.js';
import { commandStoreContract } from './command-store-contract.js';
import { breakerStoreContract } from './breaker-store-contract.js';
import { agentStoreContract } from './agent-store-contract.js';
import { approvalStoreContract } from './approval-store-contract.js';

const makeStore = () => {
  const store = new MemoryStore();
  return Promise.resolve({ store, cleanup: () => store.close() });
};

storeContract('MemoryStore', makeStore);
workStoreContract('MemoryStore', makeStore);
commandStoreContract('MemoryStore', makeStore);
breakerStoreContract('MemoryStore', makeStore);
agentStoreContract('MemoryStore', makeStore);
approvalStoreContract('MemoryStore', makeStore);

describe('MemoryStore', () => {
  it('clears a run field that a delta sets to undefined', async () => {
    const store = new MemoryStore();
    await store.createRun(sampleRun('run_1', { owner: 'worker-1', leaseUntil: 5 }), [], []);
    const clear = { owner: undefined, leaseUntil: undefined } as unknown as { owner: string };
    await store.commit([{ runId: 'run_1', run: clear, tasks: [], events: [] }]);
    expect(await store.getRun('run_1')).toStrictEqual(sampleRun('run_1'));
  });

  it('stores values as JSON would, dropping undefined fields inside payloads', async () => {
    const store = new MemoryStore();
    await store.createRun(sampleRun('run_1', { vars: { kept: 1, dropped: undefined } }), [], []);
    expect((await store.getRun('run_1'))?.vars).toStrictEqual({ kept: 1 });
  });
});
