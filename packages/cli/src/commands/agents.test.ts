import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '@baton/core';
import { createBaton } from '@baton/embedded';
import { testAgent } from '../testing/gated-agent.js';
import { runBaton } from '../testing/run-baton.js';

let dir: string;
let dataDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-agents-'));
  dataDir = join(dir, 'data');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const baton = (...args: string[]) => runBaton([...args, '--data-dir', dataDir]);

/** A script agent, which runs from its definition alone. */
const scriptAgent = (id: string, version = '1.0.0', overrides: Record<string, unknown> = {}) => ({
  ...testAgent(id),
  version,
  kind: 'script',
  settings: { source: 'export default function run(input) { return { twice: input.n * 2 }; }' },
  ...overrides,
});

/** Writes `content` as JSON into the test's directory and returns the path. */
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function listed(...args: string[]): Promise<string[]> {
  const result = await baton('agents', 'list', '--json', ...args);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as AgentDefinition[]).map((a) => `${a.id}@${a.version}:${a.status}`);
}

describe('baton agents', () => {
  it('registers a list of definitions and lists them beside the built-in agents', async () => {
    const registered = await baton(
      'agents',
      'register',
      file('agents.json', [
        scriptAgent('acme.double'),
        scriptAgent('acme.double', '2.0.0', { status: 'beta' }),
      ]),
    );
    expect(registered.stderr).toBe('');
    expect(registered.code).toBe(0);
    expect(registered.stdout).toBe(
      'registered acme.double@1.0.0 (active)\nregistered acme.double@2.0.0 (beta)\n',
    );
    const all = await listed();
    expect(all.slice(0, 2)).toEqual(['acme.double@2.0.0:beta', 'acme.double@1.0.0:active']);
    expect(all).toContain('builtin.summarizer@1.0.0:active');
    expect(await listed('--status', 'beta')).toEqual(['acme.double@2.0.0:beta']);
    expect(await listed('--domain', 'operations', '--status', 'active')).toContain(
      'acme.double@1.0.0:active',
    );
    const text = await baton('agents', 'list', '--status', 'beta');
    expect(text.stdout).toMatch(/^acme\.double@2\.0\.0 +beta +operations +script +acme\.double\n$/);
  });

  it('stamps createdAt and updatedAt on a definition that leaves them out', async () => {
    const { createdAt: _created, updatedAt: _updated, ...bare } = scriptAgent('acme.fresh');
    const before = Date.now();
    const registered = await baton('agents', 'register', file('fresh.json', bare));
    expect(registered.stderr).toBe('');
    expect(registered.code).toBe(0);
    const shown = await baton('agents', 'show', 'acme.fresh@1.0.0', '--json');
    const shownVersions = JSON.parse(shown.stdout) as { versions: { definition: AgentDefinition }[] };
    const agent = shownVersions.versions[0]!.definition;
    expect(Date.parse(agent.createdAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(agent.updatedAt).toBe(agent.createdAt);
  });

  it('registers nothing when any definition is invalid, and says what is wrong with it', async () => {
    const broken = scriptAgent('acme.broken');
    const invalid = { ...broken, performance: { ...broken.performance, avgLatency: -1 } };
    const result = await baton(
      'agents',
      'register',
      file('agents.json', [scriptAgent('acme.fine'), invalid]),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('agents.json (agent "acme.broken"): invalid agent definition');
    expect(result.stderr).toContain('invalid agent definition (1 error)\n');
    expect(result.stderr).toMatch(
      /error +performance\.avgLatency: must be at least 0, got -1 \[INVALID_VALUE\]\n/,
    );
    expect(result.stderr).toContain('baton: nothing was registered');
    expect((await listed()).filter((a) => a.startsWith('acme.'))).toEqual([]);
  });

  it('registers nothing when a definition names a replacement that is not registered', async () => {
    const result = await baton(
      'agents',
      'register',
      file('agents.json', [
        scriptAgent('acme.fine'),
        scriptAgent('acme.old', '1.0.0', { replacedBy: 'acme.new' }),
      ]),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'baton: agent acme.old@1.0.0 cannot be replaced by "acme.new": no such agent is registered; register it first [NOT_FOUND]\n',
    );
    expect((await listed()).filter((a) => a.startsWith('acme.'))).toEqual([]);
  });

  it('refuses YAML, a missing file and an unknown status as usage errors', async () => {
    expect((await baton('agents', 'register', join(dir, 'agents.yaml'))).code).toBe(2);
    expect((await baton('agents', 'register', join(dir, 'missing.json'))).stderr).toContain('no such file');
    const status = await baton('agents', 'status', 'builtin.summarizer@1.0.0', 'retired');
    expect(status.code).toBe(2);
    expect(status.stderr).toBe('baton: unknown status "retired": use active, beta, deprecated, offline\n');
    expect((await baton('agents', 'deprecate', 'builtin.summarizer')).code).toBe(2);
  });

  it('deprecates a version in favour of another, and shows the deprecation and the usage', async () => {
    await baton(
      'agents',
      'register',
      file('agents.json', [scriptAgent('acme.double'), scriptAgent('acme.double', '2.0.0')]),
    );
    const missing = await baton('agents', 'deprecate', 'acme.double@1.0.0', '--replaced-by', 'acme.triple');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such agent is registered; register it first [NOT_FOUND]');

    const deprecated = await baton(
      'agents',
      'deprecate',
      'acme.double@1.0.0',
      '--replaced-by',
      'acme.double@2.0.0',
    );
    expect(deprecated.stdout).toBe('deprecated acme.double@1.0.0, replaced by acme.double@2.0.0\n');
    expect(deprecated.code).toBe(0);

    const driver = await createBaton({ dataDir });
    const run = await driver.run({
      id: 'double',
      name: 'Double',
      version: '1.0.0',
      nodes: [
        { id: 'double', type: 'agent', agent: { id: 'acme.double', version: '1.0.0' }, inputs: { n: 21 } },
      ],
      outputs: { twice: { value: 'nodes.double.output.twice' } },
    });
    await driver.close();
    expect(run.output).toEqual({ twice: 42 });

    const shown = await baton('agents', 'show', 'acme.double@1.0.0');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('acme.double@1.0.0  deprecated  acme.double\n');
    expect(shown.stdout).toMatch(/ {2}deprecated since \S+Z; use acme\.double@2\.0\.0 instead\n/);
    expect(shown.stdout).toMatch(/ {2}used by 1 task in 1 run, last \S+Z\n$/);

    const json = JSON.parse((await baton('agents', 'show', 'acme.double', '--json')).stdout) as {
      id: string;
      versions: { definition: AgentDefinition; usage: { tasks: number; runs: number } }[];
    };
    expect(json.id).toBe('acme.double');
    expect(json.versions.map((v) => [v.definition.version, v.definition.status, v.usage.tasks])).toEqual([
      ['2.0.0', 'active', 0],
      ['1.0.0', 'deprecated', 1],
    ]);
  });

  it('sets the status of a built-in agent, which the registry keeps across processes', async () => {
    const offline = await baton('agents', 'status', 'builtin.summarizer@1.0.0', 'offline');
    expect(offline.stdout).toBe('builtin.summarizer@1.0.0 is now offline\n');
    expect(await listed('--status', 'offline')).toEqual(['builtin.summarizer@1.0.0:offline']);
    await baton('agents', 'status', 'builtin.summarizer@1.0.0', 'active');
    expect(await listed('--status', 'offline')).toEqual([]);
  });

  it('says so when an agent is not in the registry', async () => {
    const result = await baton('agents', 'show', 'acme.nothing');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^baton: no agent "acme\.nothing" in /);
    const status = await baton('agents', 'status', 'acme.nothing@1.0.0', 'offline');
    expect(status.code).toBe(1);
    expect(status.stderr).toBe('baton: no agent acme.nothing@1.0.0 is registered [NOT_FOUND]\n');
  });
});

describe('baton agents search and show', () => {
  it('searches by words and filters, and shows measured figures and who calls an agent', async () => {
    await baton('agents', 'register', file('agents.json', [scriptAgent('acme.double')]));
    const workflow = file('wf.json', {
      id: 'doubler',
      name: 'Doubler',
      version: '1.0.0',
      nodes: [{ id: 'twice', type: 'agent', agent: { id: 'acme.double' }, inputs: { n: 2 } }],
    });
    expect((await baton('run', workflow)).code).toBe(0);

    const found = await baton('agents', 'search', 'legal', 'review', '--domain', 'legal', '--json');
    expect((JSON.parse(found.stdout) as AgentDefinition[]).map((a) => a.id)).toEqual([
      'builtin.legal-reviewer',
    ]);
    const cheap = await baton('agents', 'search', '--skill', 'test', '--max-cost', '0.01', '--json');
    expect((JSON.parse(cheap.stdout) as AgentDefinition[]).map((a) => a.id)).toContain('acme.double');
    const bad = await baton('agents', 'search', '--max-cost', 'cheap');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--max-cost must be a number/);

    const shown = await baton('agents', 'show', 'acme.double@1.0.0');
    expect(shown.stdout).toMatch(/measured over 1 executions: p50 \d+ ms/);
    expect(shown.stdout).toMatch(/called by doubler@1\.0\.0#twice \(pinned\)/);
  });
});
