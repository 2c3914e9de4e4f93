import { describe, expect, it } from 'vitest';
import { ConflictError, DefinitionError } from '../errors/errors.js';
import { agentDefinition } from '../validate/validation-fixtures.js';
import { AgentCatalog } from './agent-catalog.js';

function catalogOf(
  ...versions: [string, string, ('active' | 'beta' | 'deprecated' | 'offline')?][]
): AgentCatalog {
  return new AgentCatalog(
    versions.map(([id, version, status]) => agentDefinition({ id, version, status: status ?? 'active' })),
  );
}

describe('AgentCatalog', () => {
  it('lists ids alphabetically and versions newest first', () => {
    const catalog = catalogOf(
      ['b.agent', '1.0.0'],
      ['a.agent', '1.10.0'],
      ['a.agent', '1.9.0'],
      ['a.agent', '2.0.0-rc.1'],
    );
    expect(catalog.ids()).toEqual(['a.agent', 'b.agent']);
    expect(catalog.versions('a.agent').map((a) => a.version)).toEqual(['2.0.0-rc.1', '1.10.0', '1.9.0']);
    expect(catalog.list().map((a) => `${a.id}@${a.version}`)).toEqual([
      'a.agent@2.0.0-rc.1',
      'a.agent@1.10.0',
      'a.agent@1.9.0',
      'b.agent@1.0.0',
    ]);
    expect(catalog.has('a.agent')).toBe(true);
    expect(catalog.has('c.agent')).toBe(false);
    expect(catalog.versions('c.agent')).toEqual([]);
  });

  it('refuses the same id and version twice', () => {
    const catalog = catalogOf(['a.agent', '1.0.0']);
    expect(() => catalog.add(agentDefinition({ id: 'a.agent', version: '1.0.0' }))).toThrow(ConflictError);
    expect(() => catalog.add(agentDefinition({ id: 'a.agent', version: '1.0.0' }))).toThrow(
      'agent "a.agent@1.0.0" is already in the catalog',
    );
  });

  it('refuses a version that is not a semantic version', () => {
    const agent = { ...agentDefinition({ id: 'a.agent', version: '1.0.0' }), version: 'one' };
    expect(() => new AgentCatalog([agent])).toThrow(DefinitionError);
  });

  it('resolves an exact version whatever its status', () => {
    const catalog = catalogOf(['a', '1.0.0', 'offline'], ['a', '1.1.0']);
    expect(catalog.resolve({ id: 'a', version: '1.0.0' })?.status).toBe('offline');
    expect(catalog.resolve({ id: 'a', version: '1.5.0' })).toBeUndefined();
  });

  it('resolves a range to the highest satisfying version that is not offline', () => {
    const catalog = catalogOf(
      ['a', '1.0.0'],
      ['a', '1.2.0', 'deprecated'],
      ['a', '1.3.0', 'offline'],
      ['a', '2.0.0'],
    );
    expect(catalog.resolve({ id: 'a', version: '^1.0.0' })?.version).toBe('1.2.0');
    expect(catalog.resolve({ id: 'a', version: '~1.0' })?.version).toBe('1.0.0');
    expect(catalog.resolve({ id: 'a', version: '>=3' })).toBeUndefined();
    expect(catalog.resolve({ id: 'a', version: 'latest' })).toBeUndefined();
  });

  it('resolves no version to the newest active or beta one, else the newest deprecated one, never an offline one', () => {
    expect(catalogOf(['a', '1.0.0'], ['a', '2.0.0', 'deprecated']).resolve({ id: 'a' })?.version).toBe(
      '1.0.0',
    );
    expect(catalogOf(['a', '1.0.0', 'beta'], ['a', '0.9.0']).resolve({ id: 'a' })?.version).toBe('1.0.0');
    expect(
      catalogOf(['a', '1.0.0', 'deprecated'], ['a', '2.0.0', 'offline']).resolve({ id: 'a' })?.version,
    ).toBe('1.0.0');
    expect(catalogOf(['a', '1.0.0', 'offline']).resolve({ id: 'a' })).toBeUndefined();
    expect(catalogOf().resolve({ id: 'a' })).toBeUndefined();
  });

  it('finds candidates for a capability query by domain, skills and types', () => {
    const catalog = new AgentCatalog([
      agentDefinition({
        id: 'legal.review',
        version: '1.0.0',
        capabilities: { domain: 'legal', skills: ['review', 'redline'], inputTypes: ['pdf'] },
      }),
      agentDefinition({
        id: 'sales.review',
        version: '1.0.0',
        capabilities: { domain: 'sales', skills: ['review'] },
      }),
      agentDefinition({
        id: 'gone',
        version: '1.0.0',
        status: 'offline',
        capabilities: { domain: 'legal', skills: ['review'] },
      }),
    ]);
    const ids = (query: Parameters<AgentCatalog['candidates']>[0]): string[] =>
      catalog.candidates(query).map((a) => a.id);
    expect(ids({ skills: ['review'] })).toEqual(['legal.review', 'sales.review']);
    expect(ids({ domain: 'legal', skills: ['review'] })).toEqual(['legal.review']);
    expect(ids({ skills: ['review', 'redline'] })).toEqual(['legal.review']);
    expect(ids({ skills: ['review'], inputTypes: ['pdf'] })).toEqual(['legal.review']);
    expect(ids({ skills: ['review'], outputTypes: ['pdf'] })).toEqual([]);
  });
});

describe('AgentCatalog.replace', () => {
  it('replaces the definition of an id and version in place, and returns the one it replaced', () => {
    const catalog = catalogOf(['a', '1.0.0'], ['a', '2.0.0'], ['b', '1.0.0']);
    const before = catalog.resolve({ id: 'a', version: '1.0.0' });
    const deprecated = agentDefinition({ id: 'a', version: '1.0.0', status: 'deprecated', replacedBy: 'b' });
    expect(catalog.replace(deprecated)).toBe(before);
    expect(catalog.resolve({ id: 'a', version: '1.0.0' })).toBe(deprecated);
    expect(catalog.list().map((a) => `${a.id}@${a.version}:${a.status}`)).toEqual([
      'a@2.0.0:active',
      'a@1.0.0:deprecated',
      'b@1.0.0:active',
    ]);
  });

  it('adds a version it does not hold yet, keeping versions newest first', () => {
    const catalog = catalogOf(['a', '1.0.0'], ['a', '3.0.0']);
    expect(catalog.replace(agentDefinition({ id: 'a', version: '2.0.0' }))).toBeUndefined();
    expect(catalog.replace(agentDefinition({ id: 'c', version: '1.0.0' }))).toBeUndefined();
    expect(catalog.list().map((a) => `${a.id}@${a.version}`)).toEqual([
      'a@3.0.0',
      'a@2.0.0',
      'a@1.0.0',
      'c@1.0.0',
    ]);
  });

  it('refuses a version that is not a semantic version', () => {
    const agent = { ...agentDefinition({ id: 'a', version: '1.0.0' }), version: 'one' };
    expect(() => catalogOf(['a', '1.0.0']).replace(agent)).toThrow(DefinitionError);
  });
});
