import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionError, type AgentDefinitionInput } from '@baton/core';
import { createBaton, type Baton } from './create-baton.js';
import { functionAgent } from './testing/temp-baton.js';

/** A script agent: it runs from its definition alone, as one registered in another process must. */
const doubler: AgentDefinitionInput = functionAgent('t.double', {
  kind: 'script',
  settings: { source: 'export default function run(input) { return { twice: input.n * 2 }; }' },
});

const doubleFlow = {
  id: 'double',
  name: 'Double',
  version: '1.0.0',
  nodes: [{ id: 'double', type: 'agent', agent: { id: 't.double' }, inputs: { n: 21 } }],
  outputs: { twice: { value: 'nodes.double.output.twice' } },
};

describe('the agent registry across processes sharing a store', () => {
  let dataDir: string;
  let registrar: Baton;
  let server: Baton;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'baton-agent-sync-'));
    registrar = await createBaton({ dataDir });
    server = await createBaton({ dataDir, agentSyncMs: 50 });
  });
  afterEach(async () => {
    await server.close();
    await registrar.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes in what another process registers, deprecates or takes offline, without a restart', async () => {
    expect(server.catalog.resolve({ id: 't.double' })).toBeUndefined();
    await registrar.saveAgent(doubler);
    await expect.poll(() => server.catalog.resolve({ id: 't.double' })?.status).toBe('active');
    const run = await server.run(doubleFlow);
    expect(run.status, run.error?.message).toBe('completed');
    expect(run.output).toEqual({ twice: 42 });

    await registrar.setAgentStatus('t.double@1.0.0', 'offline');
    await expect
      .poll(() => server.catalog.resolve({ id: 't.double', version: '1.0.0' })?.status)
      .toBe('offline');
    // An offline version is never dispatched, whichever process took it offline: a run of it is refused.
    const refused = await server.run(doubleFlow).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DefinitionError);
    expect((refused as DefinitionError).problems.map((p) => p.message).join()).toMatch(/offline/);
  });

  it('lays another process’s lifecycle decisions over a built-in agent, keeping its definition from code', async () => {
    const builtin = server.catalog.list().find((a) => a.kind === 'builtin')!;
    const ref = `${builtin.id}@${builtin.version}`;
    const replacement = { ...doubler, id: 't.replacement' };
    await registrar.saveAgent(replacement);
    await registrar.deprecateAgent(ref, { replacedBy: 't.replacement@1.0.0' });
    await expect
      .poll(() => server.catalog.resolve({ id: builtin.id, version: builtin.version })?.status)
      .toBe('deprecated');
    const seen = server.catalog.resolve({ id: builtin.id, version: builtin.version })!;
    expect(seen).toEqual({
      ...builtin,
      status: 'deprecated',
      deprecatedAt: expect.any(String) as string,
      replacedBy: 't.replacement@1.0.0',
    });
  });
});
