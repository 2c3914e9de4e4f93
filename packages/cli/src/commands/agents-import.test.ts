import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '@baton/core';
import type { AgentProbeReport } from '@baton/embedded';
import { serveJsonDocuments, type JsonDocumentServer } from '@baton/test-services';
import { runBaton } from '../testing/run-baton.js';

const card = {
  name: 'Research Desk',
  description: 'Finds things out',
  version: '1.2.0',
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['application/json'],
  skills: [{ id: 'market-research', name: 'Market research' }],
};

let server: JsonDocumentServer;
let base: string;
let env: Record<string, string>;
beforeAll(async () => {
  server = await serveJsonDocuments({
    '/.well-known/agent-card.json': card,
    '/bad/card.json': { skills: 3 },
  });
  base = server.base;
  env = { BATON_EGRESS_ALLOW: server.host };
});
afterAll(() => server.close());

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-import-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
const baton = (...args: string[]) => runBaton([...args, '--data-dir', join(dir, 'data')], env);

async function listed(): Promise<string[]> {
  const result = await baton('agents', 'list', '--json');
  return (JSON.parse(result.stdout) as AgentDefinition[]).map((a) => `${a.id}@${a.version}`);
}

describe('baton agents import', () => {
  it('imports an A2A agent from its base URL, saves it, and lists it', async () => {
    const result = await baton('agents', 'import', base, '--auth-secret', 'DESK_TOKEN');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `imported research-desk@1.2.0 (a2a ${base}/.well-known/agent-card.json) skills: market-research\n`,
    );
    expect(await listed()).toContain('research-desk@1.2.0');
    const shown = await baton('agents', 'show', 'research-desk@1.2.0', '--json');
    const { versions } = JSON.parse(shown.stdout) as { versions: { definition: AgentDefinition }[] };
    expect(versions[0]?.definition.settings).toEqual({
      url: `${base}/.well-known/agent-card.json`,
      authSecret: 'DESK_TOKEN',
    });
  });

  it('prints the definition without saving it on --dry-run', async () => {
    const result = await baton('agents', 'import', base, '--id', 'acme.desk', '--dry-run', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'acme.desk', kind: 'a2a' });
    expect(await listed()).not.toContain('acme.desk@1.2.0');
  });

  it('saves nothing from a malformed card and says what is wrong', async () => {
    const result = await baton('agents', 'import', `${base}/bad/card.json`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is not a valid A2A agent card: card\.name: .*card\.skills/);
    expect((await listed()).some((ref) => !ref.startsWith('builtin.'))).toBe(false);
  });

  it('refuses a loopback card URL without BATON_EGRESS_ALLOW', async () => {
    const result = await runBaton(['agents', 'import', base, '--data-dir', join(dir, 'data')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[FORBIDDEN]');
  });
});

describe('baton agents health', () => {
  it('probes an imported agent and calls the built-in ones local', async () => {
    await baton('agents', 'import', base);
    const result = await baton('agents', 'health', '--json');
    expect(result.code).toBe(0);
    const reports = JSON.parse(result.stdout) as AgentProbeReport[];
    expect(reports.find((r) => r.agent === 'research-desk@1.2.0')).toMatchObject({ status: 'up' });
    expect(reports.find((r) => r.agent === 'builtin.summarizer@1.0.0')).toEqual({
      agent: 'builtin.summarizer@1.0.0',
      status: 'local',
    });
    const text = await baton('agents', 'health', 'research-desk');
    expect(text.stdout).toMatch(/^research-desk@1\.2\.0 +up +\d+ ms +no calls\n$/);
  });

  it('exits 1 when an agent is down', async () => {
    await baton('agents', 'import', base);
    const result = await runBaton(['agents', 'health', 'research-desk', '--data-dir', join(dir, 'data')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/research-desk@1\.2\.0 +down/);
  });
});
