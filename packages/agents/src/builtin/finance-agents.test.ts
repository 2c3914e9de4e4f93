import { describe, expect, it } from 'vitest';
import { runAgent, sampleInput } from '../samples.test.fixtures.js';

const finance = sampleInput('finance-reporting');

interface Department {
  name: string;
  profit: number;
  marginPercent: number;
  budgetVariance: number;
  budgetVariancePercent: number;
  revenueGrowthPercent: number;
  status: string;
}

async function analyze(): Promise<Record<string, unknown>> {
  const collected = await runAgent('builtin.data-collector', {
    period: '2026-Q1',
    departments: finance['departments'],
  });
  return runAgent('builtin.financial-analyzer', {
    departments: collected['departments'],
    varianceThresholdPercent: 5,
  });
}

describe('builtin.data-collector', () => {
  it('totals the sample figures and reports the missing prior figures of Customer Support', async () => {
    const out = await runAgent('builtin.data-collector', {
      period: '2026-Q1',
      departments: finance['departments'],
    });
    expect(out['totals']).toEqual({
      revenue: 4_325_000,
      expenses: 4_280_700,
      budget: 4_250_000,
      headcount: 167,
    });
    const support = (out['departments'] as { name: string; complete: boolean; priorRevenue: number }[]).at(
      -1,
    );
    expect(support).toMatchObject({ name: 'Customer Support', complete: false, priorRevenue: 0 });
    expect(out['issues']).toEqual([
      {
        department: 'Customer Support',
        field: 'priorRevenue',
        message: 'priorRevenue is missing; counted as 0.',
      },
      {
        department: 'Customer Support',
        field: 'priorExpenses',
        message: 'priorExpenses is missing; counted as 0.',
      },
    ]);
  });

  it('rounds to cents, keeps and reports negative figures, and drops a department named twice', async () => {
    const out = await runAgent('builtin.data-collector', {
      period: 'P',
      currency: 'EUR',
      departments: [
        {
          name: 'Ops',
          revenue: 10.005,
          expenses: -1,
          budget: 5,
          headcount: 1,
          priorRevenue: 1,
          priorExpenses: 1,
        },
        { name: 'ops ', revenue: 99, expenses: 1, budget: 1 },
      ],
    });
    expect(out['departments']).toEqual([
      {
        name: 'Ops',
        revenue: 10.01,
        expenses: -1,
        budget: 5,
        headcount: 1,
        priorRevenue: 1,
        priorExpenses: 1,
        complete: true,
      },
    ]);
    expect((out['issues'] as { field: string }[]).map((i) => i.field)).toEqual(['expenses', 'name']);
    expect(out['currency']).toBe('EUR');
  });
});

describe('builtin.financial-analyzer', () => {
  it('computes margins, variances, growth and status for every sample department', async () => {
    const out = await analyze();
    const byName = new Map((out['departments'] as Department[]).map((d) => [d.name, d]));
    expect(byName.get('Sales')).toEqual({
      name: 'Sales',
      profit: 1_927_500,
      marginPercent: 67.87,
      budgetVariance: -12_500,
      budgetVariancePercent: -1.39,
      revenueGrowthPercent: 8.81,
      status: 'watch',
    });
    expect(byName.get('Marketing')).toMatchObject({ budgetVariancePercent: -15.88, status: 'over_budget' });
    expect(byName.get('Engineering')).toMatchObject({ marginPercent: 0, status: 'on_track' });
    expect(out['totals']).toEqual({
      revenue: 4_325_000,
      expenses: 4_280_700,
      profit: 44_300,
      marginPercent: 1.02,
      budgetVariance: -30_700,
    });
  });

  it('raises flags most severe first and writes one-sentence highlights', async () => {
    const out = await analyze();
    const flags = out['flags'] as { department: string; severity: string }[];
    expect(flags.map((f) => [f.department, f.severity])).toEqual([
      ['Marketing', 'high'],
      ['Sales', 'low'],
      ['Professional Services', 'low'],
    ]);
    const highlights = out['highlights'] as string[];
    expect(highlights[0]).toBe(
      'Revenue was 4,325,000.00 against expenses of 4,280,700.00, a profit of 44,300.00 and a margin of 1.02%.',
    );
    expect(highlights.every((h) => h.endsWith('.'))).toBe(true);
  });

  it('flags a company-wide loss as critical and a sharp revenue drop', async () => {
    const out = await runAgent('builtin.financial-analyzer', {
      departments: [{ name: 'Solo', revenue: 70, expenses: 100, budget: 100, priorRevenue: 100 }],
    });
    expect((out['flags'] as { severity: string; message: string }[]).map((f) => f.severity)).toEqual([
      'critical',
      'high',
      'high',
    ]);
  });
});

describe('builtin.report-generator', () => {
  it('renders the analysis as a Markdown report with its commentary', async () => {
    const analysis = await analyze();
    const out = await runAgent('builtin.report-generator', {
      title: 'Quarterly Financial Report 2026-Q1',
      period: '2026-Q1',
      analysis,
      commentary: 'A steady quarter.',
    });
    const markdown = out['markdown'] as string;
    expect(markdown.startsWith('# Quarterly Financial Report 2026-Q1\n')).toBe(true);
    expect(markdown).toContain('| Revenue | 4,325,000.00 |');
    expect(markdown).toContain('A steady quarter.');
    expect(markdown).toContain('| Marketing | -498,300.00 | 0% | -68,300.00 | -15.88% | 0% | Over budget |');
    expect(markdown).toContain('- **HIGH** · Marketing: Expenses are 15.88% over budget (68,300.00 over).');
    expect(out).toMatchObject({ title: 'Quarterly Financial Report 2026-Q1', sectionCount: 4 });
  });
});
