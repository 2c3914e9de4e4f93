import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentDefinitionInput } from '@baton/core';
import { createBaton, type Baton, type CreateBatonOptions } from '../create-baton.js';

/** An embedded Baton in a fresh temporary data directory, and the function that closes and removes it. */
export async function tempBaton(
  options: Omit<CreateBatonOptions, 'dataDir'> = {},
): Promise<{ baton: Baton; dataDir: string; dispose: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const baton = await createBaton({ ...options, dataDir });
  return {
    baton,
    dataDir,
    dispose: async () => {
      await baton.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A definition for a function agent in tests; `overrides` replace top-level fields. */
export function functionAgent(
  id: string,
  overrides: Partial<AgentDefinitionInput> = {},
): AgentDefinitionInput {
  return {
    id,
    name: id,
    version: '1.0.0',
    kind: 'function',
    capabilities: { domain: 'operations', skills: ['test'] },
    performance: {
      avgLatency: 1,
      successRate: 100,
      throughput: 1000,
      costPerExecution: 0.001,
      reliability: 100,
    },
    config: { maxConcurrency: 100, timeout: 5000, retryPolicy: { maxRetries: 0, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}
