import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@baton/core';
import {
  agentStoreContract,
  approvalStoreContract,
  breakerStoreContract,
  commandStoreContract,
  sampleRun,
  sampleTask,
  storeContract,
  workStoreContract,
} from '@baton/testing';
import { PostgresStore } from './postgres-store.js';
import { hasPostgres, useTestDatabases } from './test-databases.test-helper.js';

describe.skipIf(!hasPostgres)('PostgresStore', () => {
  const databases = useTestDatabases();

  const makeStore = async () => {
    const url = await databases.empty();
    let current = await PostgresStore.open(url);
    return {
      store: current,
      reopen: async () => {
        await current.close();
        current = await PostgresStore.open(url);
        return current;
      },
      cleanup: () => current.close(),
    };
  };
  storeContract('PostgresStore', makeStore);
  workStoreContract('PostgresStore', makeStore);
  commandStoreContract('PostgresStore', makeStore);
  breakerStoreContract('PostgresStore', makeStore);
  agentStoreContract('PostgresStore', makeStore);
  approvalStoreContract('PostgresStore', makeStore);

  describe('payloads jsonb cannot hold as written', () => {
    const tricky = [
      'nul \u0000 inside',
      'lone high \uD800 and low \uDFFF surrogates',
      'a pair stays a pair: 😀 \uD83D\uDE00',
      'text that looks like an escape: \\u0000 \\ud800 \\\\u0000',
      'the marker itself: \uFDD0 \uFDD00 \uFDD0m \uFDD0ud800',
      'control \u0001\u001f and quotes " \\ /',
    ];

    it('round-trips NUL, lone surrogates and escape look-alikes in values and keys', async () => {
      const store = await PostgresStore.open(await databases.empty());
      try {
        const payload = Object.fromEntries(tricky.map((text, i) => [text, [i, text]]));
        const run = sampleRun('run_1', { input: payload, vars: { list: tricky } });
        const task = sampleTask('run_1', 'a', { output: payload, checkpoint: tricky });
        const event: RunEvent = {
          type: 'run.paused',
          runId: 'run_1',
          seq: 1,
          at: 1,
          reason: tricky.join('|'),
        };
        await store.createRun(run, [task], [event]);
        expect(await store.loadRun('run_1')).toEqual({ run, tasks: [task] });
        expect(await store.readEvents('run_1')).toEqual([event]);
      } finally {
        await store.close();
      }
    });
  });
});
