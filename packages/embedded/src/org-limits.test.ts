import { afterEach, describe, expect, it } from 'vitest';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
});

const workflow = {
  id: 'two-steps',
  name: 'Two steps',
  version: '1.0.0',
  nodes: [
    { id: 'a', type: 'agent', agent: { id: 't.slow' } },
    { id: 'b', type: 'agent', agent: { id: 't.slow' } },
  ],
  edges: [{ from: 'a', to: 'b' }],
};

describe('limits per org', () => {
  it('holds the tasks of all of an org’s runs to its maxConcurrentTasks, leaving other orgs alone', async () => {
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    const { baton, dispose } = await tempBaton({
      orgLimits: { acme: { maxConcurrentTasks: 2 } },
      agents: [
        {
          definition: functionAgent('t.slow'),
          handler: async (input) => {
            const org = String(input.org);
            running.set(org, (running.get(org) ?? 0) + 1);
            peak.set(org, Math.max(peak.get(org) ?? 0, running.get(org) ?? 0));
            await new Promise((resolve) => setTimeout(resolve, 5));
            running.set(org, (running.get(org) ?? 0) - 1);
            return {};
          },
        },
      ],
    });
    disposers.push(dispose);
    const withOrg = (org: string) => ({
      ...workflow,
      id: `two-steps-${org}`,
      nodes: workflow.nodes.map((n) => ({ ...n, inputs: { org } })),
    });
    const runs = await Promise.all([
      ...Array.from({ length: 10 }, () => baton.run(withOrg('acme'), {}, { org: 'acme' })),
      ...Array.from({ length: 10 }, () => baton.run(withOrg('globex'), {}, { org: 'globex' })),
    ]);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    expect(peak.get('acme')).toBe(2);
    expect(peak.get('globex')).toBeGreaterThan(2);
  });

  it('caps each run of an org by the org’s budget when it is lower than the workflow’s', async () => {
    const { baton, dispose } = await tempBaton({
      orgLimits: { default: { maxTasks: 1 } },
      agents: [{ definition: functionAgent('t.slow'), handler: () => ({}) }],
    });
    disposers.push(dispose);
    const run = await baton.run({ ...workflow, policies: { budget: { maxTasks: 5 } } });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { limit: 'maxTasks', max: 1 } });
  });
});
