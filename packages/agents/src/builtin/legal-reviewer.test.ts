import { describe, expect, it } from 'vitest';
import { runAgent, sampleInput } from '../samples.test.fixtures.js';

interface Finding {
  ruleId: string;
  severity: string;
  message: string;
  excerpt: string;
  recommendation: string;
}

const contractText = sampleInput('sales-deal')['contractText'] as string;

const CLEAN_CONTRACT = [
  'MASTER SERVICES AGREEMENT',
  '1. Services. Provider shall use commercially reasonable efforts to make the services available 99.5% of each month.',
  '2. Fees. Customer shall pay undisputed invoices within 30 days of receipt.',
  '3. Limitation of Liability. Each party’s liability is limited to the fees paid in the 12 months before the claim.',
  '4. Confidentiality. Each party shall protect the other party’s confidential information.',
  '5. Governing Law. This agreement is governed by the laws of the State of Oregon.',
].join('\n');

async function review(text: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return runAgent('builtin.legal-reviewer', { text, ...extra });
}

const ids = (out: Record<string, unknown>): string[] => (out['findings'] as Finding[]).map((f) => f.ruleId);

describe('builtin.legal-reviewer', () => {
  it('flags the unlimited-liability clause of the sample contract as critical, with its sentence', async () => {
    const out = await review(contractText, { ruleSet: 'contract' });
    const finding = (out['findings'] as Finding[]).find((f) => f.ruleId === 'LEGAL-UNLIMITED-LIABILITY');
    expect(finding).toMatchObject({
      severity: 'critical',
      excerpt: "Provider's liability under this agreement shall be unlimited.",
    });
    expect(finding?.recommendation).toMatch(/cap liability/i);
  });

  it('finds every risky term of the sample contract, in text order, and fails it', async () => {
    const out = await review(contractText, {
      ruleSet: 'contract',
      requiredClauses: ['limitation of liability', 'governing law', 'confidentiality'],
      maxRiskScore: 40,
    });
    expect(ids(out)).toEqual([
      'LEGAL-OUTCOME-GUARANTEE',
      'LEGAL-LONG-PAYMENT-TERMS',
      'LEGAL-AUTO-RENEWAL',
      'LEGAL-UNCAPPED-INDEMNITY',
      'LEGAL-UNLIMITED-LIABILITY',
      'LEGAL-TERMINATION-FOR-CONVENIENCE',
      'LEGAL-MISSING-CLAUSE',
    ]);
    expect(out).toMatchObject({ missingClauses: ['limitation of liability'], riskScore: 100, passed: false });
    expect(out['summary']).toMatch(/^Needs legal review: risk score 100 exceeds the limit of 40/);
  });

  it('passes a clean contract with a risk score of 0', async () => {
    const out = await review(CLEAN_CONTRACT, {
      ruleSet: 'contract',
      requiredClauses: ['limitation of liability', 'governing law', 'confidentiality'],
    });
    expect(out).toMatchObject({ findings: [], missingClauses: [], riskScore: 0, passed: true });
  });

  it('reads "may not increase fees" as a protection, not a unilateral change', async () => {
    const out = await review(
      'Provider may not increase fees during the initial term. Provider may increase its fees on notice.',
      {
        ruleSet: 'contract',
      },
    );
    const findings = (out['findings'] as Finding[]).filter((f) => f.ruleId === 'LEGAL-UNILATERAL-CHANGE');
    expect(findings.map((f) => f.excerpt)).toEqual(['Provider may increase its fees on notice.']);
  });

  it('grades payment terms by their length', async () => {
    const severity = async (days: number): Promise<string | undefined> => {
      const out = await review(`Customer shall pay each invoice within ${days} days.`, {
        ruleSet: 'contract',
      });
      return (out['findings'] as Finding[]).find((f) => f.ruleId === 'LEGAL-LONG-PAYMENT-TERMS')?.severity;
    };
    expect(await severity(45)).toBeUndefined();
    expect(await severity(75)).toBe('medium');
    expect(await severity(120)).toBe('high');
  });

  it('reports a missing governing law for contracts only', async () => {
    const text = 'Each party shall protect the other party’s confidential information.';
    expect(ids(await review(text, { ruleSet: 'contract' }))).toEqual(['LEGAL-GOVERNING-LAW-MISSING']);
    expect(ids(await review(text, { ruleSet: 'proposal' }))).toEqual([]);
    const both = await review(text, { ruleSet: 'contract', requiredClauses: ['governing law'] });
    expect(ids(both)).toEqual(['LEGAL-MISSING-CLAUSE']);
    expect(both['missingClauses']).toEqual(['governing law']);
  });

  it('flags IP assignment and non-compete terms in a proposal', async () => {
    const out = await review(
      'All intellectual property in the deliverables shall be assigned to the Customer. ' +
        'Supplier shall not provide similar services to any competitor of the Customer.',
    );
    expect(ids(out)).toEqual(['LEGAL-IP-ASSIGNMENT', 'LEGAL-NON-COMPETE']);
    expect(out['passed']).toBe(false);
  });

  it('passes when the score stays within maxRiskScore and nothing is critical', async () => {
    const text = 'This agreement renews automatically each year. The laws of the State of Texas govern it.';
    const out = await review(text, { ruleSet: 'contract', maxRiskScore: 15 });
    expect(out).toMatchObject({ riskScore: 15, passed: true });
    expect((await review(text, { ruleSet: 'contract', maxRiskScore: 10 }))['passed']).toBe(false);
  });

  it('fails on a single critical finding whatever the limit', async () => {
    const out = await review('Our liability under this proposal is unlimited.', { maxRiskScore: 100 });
    expect(out).toMatchObject({ riskScore: 50, passed: false });
  });

  it('does not mistake "unlimited version history" or a limitation-of-liability clause for risks', async () => {
    const out = await review(
      'Docs Cloud keeps unlimited version history. The standard terms include a limitation of liability clause.',
    );
    expect(out['findings']).toEqual([]);
  });
});
