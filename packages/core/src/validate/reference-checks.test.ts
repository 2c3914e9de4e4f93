import { describe, expect, it } from 'vitest';
import { AgentCatalog } from '../registry/agent-catalog.js';
import { validateWorkflow } from './validate-workflow.js';
import {
  agentDefinition,
  codesAndPaths,
  fixtureAgents,
  fixtureCatalog,
  validWorkflow,
} from './validation-fixtures.js';

type Doc = ReturnType<typeof validWorkflow>;

/** Validates a changed copy of the fixture; `null` leaves the catalog out. */
function check(
  mutate: (w: Doc) => void,
  catalog: AgentCatalog | null = fixtureCatalog(),
): ReturnType<typeof validateWorkflow> {
  const workflow = validWorkflow();
  mutate(workflow);
  return validateWorkflow(workflow, catalog ? { agents: catalog } : {});
}

function pin(id: string, version?: string): (w: Doc) => void {
  return (w) => {
    w.nodes[0] = { ...w.nodes[0], agent: version === undefined ? { id } : { id, version } };
  };
}

describe('agent references', () => {
  it('checks nothing about agents without a catalog, and says nothing about it', () => {
    expect(check(pin('nobody.knows'), null).problems).toEqual([]);
  });

  it('still rejects a version that is neither a version nor a range without a catalog', () => {
    const result = check(pin('acme.extract', 'latest'), null);
    expect(codesAndPaths(result.problems)).toEqual(['INVALID_VERSION_RANGE nodes[0].agent.version']);
  });

  it('suggests the closest agent id for an unknown one', () => {
    const result = check(pin('acme.extrct'));
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_AGENT',
        path: 'nodes[0].agent.id',
        message: 'unknown agent "acme.extrct" (did you mean "acme.extract"?)',
        severity: 'error',
      },
    ]);
  });

  it('lists the available versions when none satisfies the pin', () => {
    const result = check(pin('acme.extract', '^2.0.0'));
    expect(result.problems).toEqual([
      {
        code: 'UNKNOWN_AGENT_VERSION',
        path: 'nodes[0].agent.version',
        message: 'agent "acme.extract" has no version matching "^2.0.0"; available: 1.2.0, 1.0.0',
        severity: 'error',
      },
    ]);
  });

  it('warns about a deprecated agent and names its replacement', () => {
    const catalog = new AgentCatalog([
      ...fixtureAgents().filter((a) => a.id !== 'acme.draft'),
      agentDefinition({
        id: 'acme.draft',
        version: '1.0.0',
        status: 'deprecated',
        replacedBy: 'acme.writer',
      }),
    ]);
    const result = check(() => undefined, catalog);
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([
      {
        code: 'DEPRECATED_AGENT',
        path: 'nodes[2].body.nodes[0].agent.id',
        message: 'agent "acme.draft@1.0.0" is deprecated; use "acme.writer" instead',
        severity: 'warning',
      },
    ]);
  });

  it('rejects a pin to an offline version and suggests one that runs', () => {
    const catalog = fixtureCatalog();
    catalog.add(agentDefinition({ id: 'acme.extract', version: '0.9.0', status: 'offline' }));
    const result = check(pin('acme.extract', '0.9.0'), catalog);
    expect(codesAndPaths(result.problems)).toEqual(['OFFLINE_AGENT nodes[0].agent.version']);
    expect(result.problems[0]?.message).toBe(
      'agent "acme.extract@0.9.0" is offline and is never dispatched: pin another version, e.g. "1.2.0"',
    );
  });

  it('rejects a range whose every version is offline', () => {
    const catalog = fixtureCatalog();
    catalog.add(agentDefinition({ id: 'acme.extract', version: '0.9.0', status: 'offline' }));
    const result = check(pin('acme.extract', '~0.9'), catalog);
    expect(result.problems[0]?.message).toBe(
      'every version of agent "acme.extract" matching "~0.9" is offline (0.9.0): pick another agent or bring one back online',
    );
  });

  it('checks fallbacks and compensation agents too', () => {
    const result = check((w) => {
      w.nodes[0] = { ...w.nodes[0], fallbacks: [{ id: 'acme.draft' }, { id: 'acme.drfat' }] };
      w.nodes[4] = { ...w.nodes[4], compensation: { type: 'agent', agent: { id: 'acme.undo' } } };
    });
    expect(codesAndPaths(result.problems)).toEqual([
      'UNKNOWN_AGENT nodes[0].fallbacks[1].id',
      'UNKNOWN_AGENT nodes[4].compensation.agent.id',
    ]);
  });

  it('says when the catalog has no agents at all', () => {
    const result = check(() => undefined, new AgentCatalog());
    expect(result.problems[0]?.message).toBe('unknown agent "acme.extract"; the catalog has no agents');
  });
});

describe('capability queries', () => {
  function select(query: Record<string, unknown>): (w: Doc) => void {
    return (w) => {
      const node: Record<string, unknown> = { ...w.nodes[0], select: query };
      delete node['agent'];
      w.nodes[0] = node;
    };
  }

  it('accepts a query some agent answers', () => {
    expect(check(select({ domain: 'sales', skills: ['drafting', 'pricing'] })).problems).toEqual([]);
  });

  it('warns when no agent has a skill, suggesting a close one', () => {
    const result = check(select({ domain: 'sales', skills: ['draftng'] }));
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([
      {
        code: 'NO_AGENT_FOR_CAPABILITY',
        path: 'nodes[0].select',
        message:
          'no agent in domain "sales" has skill "draftng" (did you mean "drafting"?), so node "extract" would find no agent: register one or change the query',
        severity: 'warning',
      },
    ]);
  });

  it('warns when the skills exist but not on one agent', () => {
    const result = check(select({ skills: ['drafting', 'extraction'] }));
    expect(result.problems[0]?.message).toMatch(
      /^no agent has all of the skills "drafting" and "extraction"/,
    );
  });
});
