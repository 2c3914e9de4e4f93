import { describe, expect, it } from 'vitest';
import {
  builtinDefinitions,
  runSample,
  schemaProblems,
  testRuntime,
  type SampleCall,
} from '../samples.test.fixtures.js';

const TEMPLATES = ['rfp-response', 'procurement', 'sales-deal', 'engineering-cicd', 'finance-reporting'];

const runs = new Map<string, SampleCall[]>();
async function calls(template: string): Promise<SampleCall[]> {
  let found = runs.get(template);
  if (!found) {
    found = await runSample(template, testRuntime());
    runs.set(template, found);
  }
  return found;
}

const output = async (template: string, node: string): Promise<Record<string, unknown>> =>
  (await calls(template)).find((c) => c.node === node)?.output as Record<string, unknown>;

describe('the built-in agents in the five workflow templates', () => {
  it.each(TEMPLATES)(
    '%s: every agent gets input its inputSchema accepts and gives output its outputSchema accepts',
    async (template) => {
      for (const call of await calls(template)) {
        expect(schemaProblems(call.agent.inputSchema, call.input), `${call.node} input`).toEqual([]);
        expect(schemaProblems(call.agent.outputSchema, call.output), `${call.node} output`).toEqual([]);
      }
    },
  );

  it('exercise every built-in agent', async () => {
    const used = new Set<string>();
    for (const template of TEMPLATES) for (const call of await calls(template)) used.add(call.agent.id);
    expect([...used].sort()).toEqual([...builtinDefinitions().keys()].sort());
  });

  it('rfp-response: the proposal holds the summary, the technical section and the priced quote', async () => {
    const document = (await output('rfp-response', 'assemble'))['document'] as string;
    expect(document.startsWith('# Response to Cloud Document Management System\n')).toBe(true);
    expect(document).toContain('| **RFP reference** | RFP-2026-014 |');
    expect(document).toContain('## Our Understanding of Your Needs');
    expect(document).toContain('### Compliance matrix');
    expect(document).toContain('| **Total** | **USD 93,005.00** |');
    const legal = await output('rfp-response', 'legal_review');
    expect(legal).toMatchObject({ passed: true, riskScore: 0 });
    expect((await output('rfp-response', 'draft_technical'))['coverage']).toBeGreaterThan(0.7);
  });

  it('sales-deal: the customer paper fails the legal check and the proposal carries the needs', async () => {
    expect(await output('sales-deal', 'review_contract')).toMatchObject({ passed: false, riskScore: 100 });
    expect(await output('sales-deal', 'qualify')).toMatchObject({ grade: 'A', qualified: true });
    expect((await output('sales-deal', 'write_proposal'))['markdown']).toContain('- Intake');
  });

  it('procurement and finance-reporting: the figures follow from the sample input', async () => {
    expect(await output('procurement', 'check_budget')).toMatchObject({
      status: 'within',
      remainingAfter: 73_924,
    });
    expect(await output('procurement', 'issue_po')).toMatchObject({ total: 18_576 });
    const report = (await output('finance-reporting', 'report'))['markdown'] as string;
    expect(report).toContain('Marketing');
    expect((await calls('finance-reporting')).filter((c) => c.node === 'send')).toHaveLength(5);
  });

  it('engineering-cicd: the sample change passes review, tests and the security scan', async () => {
    expect(await output('engineering-cicd', 'review')).toMatchObject({ approved: true });
    expect(await output('engineering-cicd', 'run_tests')).toMatchObject({ passed: true, total: 498 });
    expect(await output('engineering-cicd', 'security_scan')).toMatchObject({ passed: true });
    expect(await output('engineering-cicd', 'rollback')).toMatchObject({
      status: 'rolled_back',
      version: 'v2.14.3',
    });
  });
});
