import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AgentDefinitionInput } from '@baton/core';
import { createBaton, type Baton, type CreateBatonOptions } from '@baton/embedded';
import { createServer, type CreateServerOptions } from '../create-server.js';

/** An API over an embedded Baton in a fresh temporary data directory, and the function that removes both. */
export interface ApiHarness {
  baton: Baton;
  app: FastifyInstance;
  dataDir: string;
  dispose(): Promise<void>;
}

/** Opens a Baton on SQLite in a temporary directory and the API over it (not listening: use `app.inject`). */
export async function openApi(
  options: Omit<CreateServerOptions, 'baton'> & { batonOptions?: Omit<CreateBatonOptions, 'dataDir'> } = {},
): Promise<ApiHarness> {
  const { batonOptions = {}, ...serverOptions } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-server-test-'));
  const baton = await createBaton({ ...batonOptions, dataDir });
  const app = createServer({ ...serverOptions, baton });
  return {
    baton,
    app,
    dataDir,
    async dispose() {
      await app.close();
      await baton.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A definition of a script agent (it runs from its definition alone, so one saved over the API can run);
 * `overrides` replace top-level fields.
 */
export function scriptAgent(id: string, overrides: Partial<AgentDefinitionInput> = {}): AgentDefinitionInput {
  return {
    id,
    name: id,
    version: '1.0.0',
    kind: 'script',
    settings: { source: 'export default function run(input) { return { echoed: input }; }' },
    capabilities: { domain: 'operations', skills: ['echo'], inputTypes: ['json'], outputTypes: ['json'] },
    performance: {
      avgLatency: 5,
      successRate: 99,
      throughput: 1000,
      costPerExecution: 0.001,
      reliability: 99,
    },
    config: { maxConcurrency: 10, timeout: 5000, retryPolicy: { maxRetries: 0, backoff: 'exponential' } },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

/** A definition of a function agent (its work is a function given with `batonOptions.agents`), with no retries. */
export function functionAgent(id: string): AgentDefinitionInput {
  return scriptAgent(id, {
    kind: 'function',
    settings: {},
    capabilities: { domain: 'operations', skills: ['test'] },
  });
}

/** One message of a Server-Sent Events stream: its `id:` and its `data:` lines joined. */
export interface SseMessage {
  id?: string;
  data: string;
}

/**
 * The messages of a Server-Sent Events response as they arrive; comments (heartbeats) are left out. Ends when
 * the server ends the response.
 */
export async function* sseMessages(response: Response): AsyncGenerator<SseMessage> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const message = parseSseBlock(block);
      if (message) yield message;
    }
  }
}

function parseSseBlock(block: string): SseMessage | undefined {
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(id === undefined ? {} : { id }), data: data.join('\n') };
}
