import { describe, expect, it } from 'vitest';
import { agentDef, workflowOf } from '../execution/decide-harness.test-helper.js';
import { resolveAgent, selectionFacts } from '../engine/agent-resolver.js';
import type { AgentNode } from '../model/node-schema.js';
import type { AgentExecution } from '../ports/agent-store.js';
import { AgentCatalog } from './agent-catalog.js';
import { agentDependencies, deprecationImpact } from './agent-dependencies.js';
import { searchAgents } from './agent-search.js';
import { AgentMetrics, effectivePerformance, measure, MIN_SAMPLES } from './measured-performance.js';

const perf = (costPerExecution: number, avgLatency: number, successRate = 99) => ({
  avgLatency,
  successRate,
  throughput: 100,
  costPerExecution,
  reliability: 99,
});

const catalog = new AgentCatalog([
  agentDef('legal.reviewer', {
    name: 'Contract reviewer',
    description: 'Reviews contracts for risky clauses',
    capabilities: {
      domain: 'legal',
      skills: ['contract_review'],
      inputTypes: ['text'],
      outputTypes: ['report'],
    },
    performance: perf(0.5, 4_000),
  }),
  agentDef('legal.reviewer', {
    version: '2.0.0',
    name: 'Contract reviewer',
    status: 'beta',
    capabilities: {
      domain: 'legal',
      skills: ['contract_review'],
      inputTypes: ['text', 'pdf'],
      outputTypes: ['report'],
    },
    performance: perf(0.3, 2_000),
    settings: { url: 'https://review.example/api', authSecret: 'REVIEW_KEY' },
  }),
  agentDef('legal.cheap', {
    capabilities: {
      domain: 'legal',
      skills: ['contract_review'],
      inputTypes: ['text'],
      outputTypes: ['report'],
    },
    performance: perf(0.05, 9_000, 90),
  }),
  agentDef('sales.writer', {
    capabilities: { domain: 'sales', skills: ['proposal'], inputTypes: ['json'], outputTypes: ['text'] },
    performance: perf(0.1, 1_000),
  }),
  agentDef('old.one', { status: 'offline' }),
]);

const executions = (n: number, ms: number, fail = 0, cost = 0.01): AgentExecution[] =>
  Array.from({ length: n }, (_, i) => ({
    runId: `r${i}`,
    taskKey: 'a',
    status: i < fail ? 'failed' : 'succeeded',
    startedAt: 1_000 + i * 1_000,
    endedAt: 1_000 + i * 1_000 + ms + (i % 10),
    costUsd: i < fail ? 0 : cost,
    ...(i < fail ? { errorCode: 'AGENT_FAILED' } : {}),
  }));

describe('the agent registry', () => {
  it('searches by text, domain, skill, types, status and figure ranges', () => {
    const ids = (q: Parameters<typeof searchAgents>[1]) =>
      searchAgents(catalog, q).map((a) => `${a.id}@${a.version}`);
    expect(ids({ text: 'contract' })).toEqual(['legal.reviewer@2.0.0', 'legal.cheap@1.0.0']);
    expect(ids({ domain: 'sales' })).toEqual(['sales.writer@1.0.0']);
    expect(ids({ skills: ['contract_review'], inputType: 'pdf' })).toEqual(['legal.reviewer@2.0.0']);
    expect(ids({ domain: 'legal', costUsd: { max: 0.4 } })).toEqual([
      'legal.cheap@1.0.0',
      'legal.reviewer@2.0.0',
    ]);
    expect(ids({ domain: 'legal', latencyMs: { max: 5_000 }, minSuccessRate: 95 })).toEqual([
      'legal.reviewer@2.0.0',
    ]);
    expect(ids({ status: ['active'], domain: 'legal', allVersions: true })).toEqual([
      'legal.cheap@1.0.0',
      'legal.reviewer@1.0.0',
    ]);
    expect(ids({ text: 'old' })).toEqual([]);
    expect(ids({ text: 'old', status: ['offline'] })).toEqual(['old.one@1.0.0']);
  });

  it('measures latency percentiles, success rate, throughput, cost and reliability from executions', () => {
    const measured = measure([
      ...executions(18, 100, 2),
      {
        runId: 'x',
        taskKey: 'a',
        status: 'failed',
        startedAt: 0,
        endedAt: 50,
        costUsd: 0,
        errorCode: 'INVALID_INPUT',
      },
      { runId: 'y', taskKey: 'a', status: 'cancelled', startedAt: 0, endedAt: 5, costUsd: 0 },
    ])!;
    expect(measured.samples).toBe(19);
    expect(measured.latencyP50).toBe(104);
    expect(measured.latencyP95).toBe(109);
    expect(measured.successRate).toBeCloseTo((100 * 16) / 19);
    // The input's fault does not lower reliability; the agent's own failures do.
    expect(measured.reliability).toBeCloseTo(100 * (1 - 2 / 19));
    expect(measured.costPerExecution).toBeCloseTo(0.01);
    expect(measured.throughput).toBeGreaterThan(3_000);
    expect(measure([])).toBeUndefined();
  });

  it('judges by measured figures once there are enough samples, by declared ones before', () => {
    const agent = catalog.resolve({ id: 'sales.writer' })!;
    expect(effectivePerformance(agent, measure(executions(MIN_SAMPLES - 1, 50)))).toBe(agent.performance);
    expect(effectivePerformance(agent, measure(executions(MIN_SAMPLES, 50)))).toMatchObject({
      avgLatency: 54.5,
    });
  });

  it('selects by measured performance: an agent that turns out slow loses to one that is fast', () => {
    const node: AgentNode = {
      id: 'n',
      type: 'agent',
      select: { domain: 'legal', skills: ['contract_review'], strategy: 'fastest' },
      inputs: {},
    };
    const declared = resolveAgent(catalog, node);
    expect('agent' in declared && declared.agent.version).toBe('2.0.0');
    const metrics = new AgentMetrics();
    metrics.seed('legal.reviewer@2.0.0', executions(30, 20_000));
    metrics.seed('legal.cheap@1.0.0', executions(30, 500));
    const chosen = resolveAgent(
      catalog,
      node,
      selectionFacts(metrics, () => false),
    );
    expect('agent' in chosen && chosen.agent.id).toBe('legal.cheap');
    expect('reason' in chosen && chosen.reason).toMatch(/measured over 30 executions/);
    // An agent whose breaker is open is never chosen by a query.
    const open = resolveAgent(
      catalog,
      node,
      selectionFacts(metrics, (a) => a === 'legal.cheap@1.0.0'),
    );
    expect('agent' in open && open.agent.id).toBe('legal.reviewer');
  });

  it('maps what an agent depends on and which workflows would break if it were deprecated', () => {
    const v2 = catalog.resolve({ id: 'legal.reviewer', version: '2.0.0' })!;
    const workflow = workflowOf(
      [
        { id: 'pinned', type: 'agent', agent: { id: 'legal.reviewer', version: '2.0.0' } },
        { id: 'latest', type: 'agent', agent: { id: 'legal.reviewer' } },
        { id: 'query', type: 'agent', select: { skills: ['contract_review'] } },
        {
          id: 'backup',
          type: 'agent',
          agent: { id: 'sales.writer' },
          fallbacks: [{ id: 'legal.reviewer', version: '^2.0.0' }],
        },
      ],
      [],
    );
    const map = agentDependencies(v2, [workflow], catalog);
    expect(map).toMatchObject({ secrets: ['REVIEW_KEY'], endpoints: ['https://review.example/api'] });
    // An id without a version names the newest active or beta version: 2.0.0.
    expect(map.usedBy.map((u) => [u.nodeId, u.via])).toEqual([
      ['pinned', 'pinned'],
      ['latest', 'pinned'],
      ['query', 'capability'],
      ['backup', 'fallback'],
    ]);
    const impact = deprecationImpact(v2, [workflow], catalog);
    expect(impact.pinned.map((u) => u.nodeId)).toEqual(['pinned', 'latest', 'backup']);
    expect(impact.reselected.map((u) => u.nodeId)).toEqual(['query']);
  });
});
