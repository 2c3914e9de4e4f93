import { isBatonError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import {
  definition,
  invocation,
  rejection,
  runAgent,
  sampleInput,
  testRuntime,
} from '../samples.test.fixtures.js';

const rfp = sampleInput('rfp-response');
const procurement = sampleInput('procurement');
const sales = sampleInput('sales-deal');

describe('builtin.pricing-calculator', () => {
  it('prices the sample RFP quote exactly to the cent', async () => {
    const out = await runAgent('builtin.pricing-calculator', {
      priceList: rfp['priceList'],
      items: rfp['items'],
      discountPercent: 5,
      currency: 'USD',
    });
    expect(out).toMatchObject({
      subtotal: 97_900,
      discount: 4_895,
      tax: 0,
      total: 93_005,
      currency: 'USD',
      unknownSkus: [],
    });
    expect((out['lineItems'] as unknown[])[0]).toEqual({
      sku: 'NW-DOCS-USER',
      description: 'Docs Cloud subscription',
      quantity: 250,
      unit: 'user/year',
      unitPrice: 180,
      amount: 45_000,
    });
    expect(out['markdown']).toContain('| **Total** | **USD 93,005.00** |');
  });

  it('rounds every line and total to cents without binary drift', async () => {
    const out = await runAgent('builtin.pricing-calculator', {
      priceList: [
        { sku: 'A', description: 'Widget', unitPrice: 0.1 },
        { sku: 'B', description: 'Gadget', unitPrice: 1.005 },
      ],
      items: [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
      ],
      discountPercent: 12.5,
      taxRatePercent: 8.25,
    });
    // 0.30 + 1.01 = 1.31; discount 0.16375 → 0.16; tax on 1.15 = 0.094875 → 0.09; total 1.24.
    expect(out).toMatchObject({ subtotal: 1.31, discount: 0.16, tax: 0.09, total: 1.24 });
    expect((out['lineItems'] as { amount: number }[]).map((l) => l.amount)).toEqual([0.3, 1.01]);
  });

  it('applies the highest volume tier the quantity reaches', async () => {
    const priceList = [
      {
        sku: 'S',
        description: 'Seat',
        unitPrice: 100,
        tiers: [
          { minQuantity: 10, unitPrice: 90 },
          { minQuantity: 50, unitPrice: 80 },
        ],
      },
    ];
    const price = async (quantity: number): Promise<number | undefined> => {
      const out = await runAgent('builtin.pricing-calculator', {
        priceList,
        items: [{ sku: 'S', quantity }],
      });
      return (out['lineItems'] as { unitPrice: number }[])[0]?.unitPrice;
    };
    expect([await price(9), await price(10), await price(75)]).toEqual([100, 90, 80]);
  });

  it('lists unknown SKUs and leaves them out of the quote', async () => {
    const out = await runAgent('builtin.pricing-calculator', {
      priceList: [{ sku: 'A', description: 'Widget', unitPrice: 10 }],
      items: [
        { sku: 'A', quantity: 2 },
        { sku: 'NOPE', quantity: 1 },
      ],
    });
    expect(out).toMatchObject({ total: 20, unknownSkus: ['NOPE'] });
    expect(out['markdown']).toContain('Not quoted (not in the price list): NOPE.');
  });

  it('rejects a zero quantity as input that cannot be retried, naming the field', async () => {
    const agent = definition('builtin.pricing-calculator');
    const error = await rejection(
      testRuntime().invoke(
        invocation(agent, {
          priceList: [{ sku: 'A', description: 'W', unitPrice: 1 }],
          items: [{ sku: 'A', quantity: 0 }],
        }),
      ),
    );
    expect(isBatonError(error, 'AGENT_FAILED')).toBe(true);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringContaining('input.items[0].quantity') as unknown,
    });
  });
});

describe('builtin.budget-checker', () => {
  const budgets = procurement['budgets'];

  it('finds the sample purchase within the Engineering budget', async () => {
    const out = await runAgent('builtin.budget-checker', {
      department: 'Engineering',
      amount: 18_576,
      budgets,
    });
    expect(out).toEqual({
      department: 'Engineering',
      costCenter: 'CC-4100',
      available: 92_500,
      remainingAfter: 73_924,
      utilizationAfterPercent: 84.6,
      withinBudget: true,
      status: 'within',
    });
  });

  it('calls a purchase that fits above 90% utilization tight, and one that does not fit over', async () => {
    const check = (amount: number) =>
      runAgent('builtin.budget-checker', { department: 'finance ', amount, budgets });
    expect((await check(22_000))['status']).toBe('tight');
    const over = await check(40_000);
    expect(over).toMatchObject({ status: 'over', withinBudget: false, remainingAfter: -10_200 });
  });

  it('rejects an unknown department and names the known ones', async () => {
    const error = await rejection(
      testRuntime().invoke(
        invocation(definition('builtin.budget-checker'), { department: 'Legal', amount: 1, budgets }),
      ),
    );
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/"Legal".*Engineering, Marketing/) as unknown,
    });
  });
});

describe('builtin.lead-scorer', () => {
  it('grades the sample lead A with the points of every BANT factor', async () => {
    const out = await runAgent('builtin.lead-scorer', {
      company: sales['company'],
      industry: sales['industry'],
      employees: sales['employees'],
      contactTitle: sales['contactTitle'],
      budget: sales['budget'],
      timelineMonths: sales['timelineMonths'],
      notes: sales['notes'],
    });
    expect(out).toMatchObject({ score: 95, grade: 'A', qualified: true });
    const points = Object.fromEntries(
      (out['factors'] as { name: string; points: number }[]).map((f) => [f.name, f.points]),
    );
    expect(points).toEqual({ budget: 30, authority: 20, need: 20, timeline: 15, fit: 10 });
  });

  it('disqualifies a small, distant lead with no decision maker', async () => {
    const out = await runAgent('builtin.lead-scorer', {
      company: 'Tiny Co',
      budget: 5_000,
      contactTitle: 'Intern',
      timelineMonths: 18,
      employees: 4,
      industry: 'retail',
    });
    expect(out).toMatchObject({ score: 11, grade: 'D', qualified: false });
  });
});

describe('builtin.proposal-writer', () => {
  const input = {
    company: 'Acme Corp',
    contactName: 'Jo Park',
    needs: ['faster intake'],
    pricingMarkdown: '| a |',
    total: 1234.5,
  };

  it('writes the proposal with needs, pricing, validity from the clock and a stable id', async () => {
    const out = await runAgent('builtin.proposal-writer', input);
    expect(out['proposalId']).toMatch(/^PROP-ACME-[0-9A-F]{4}$/);
    expect(out).toMatchObject({ title: 'Proposal for Acme Corp', validUntil: '2026-01-31' });
    const markdown = out['markdown'] as string;
    expect(markdown).toContain('Dear Jo Park,');
    expect(markdown).toContain('- Faster intake');
    expect(markdown).toContain('Total investment: **USD 1,234.50**.');
    expect((await runAgent('builtin.proposal-writer', input))['proposalId']).toBe(out['proposalId']);
    expect((await runAgent('builtin.proposal-writer', { ...input, total: 99 }))['proposalId']).not.toBe(
      out['proposalId'],
    );
  });
});

describe('builtin.fulfillment-scheduler', () => {
  it('plans the sample order in working days, one shipment per arrival day', async () => {
    const out = await runAgent('builtin.fulfillment-scheduler', {
      poNumber: 'PO-1',
      items: procurement['items'],
      orderDate: '2026-03-02',
    });
    expect(out['shipments']).toEqual([
      { expectedDate: '2026-03-09', skus: ['CT-DOCK-TB4'], quantity: 6 },
      { expectedDate: '2026-03-11', skus: ['CT-LAP-14P'], quantity: 6 },
      { expectedDate: '2026-03-18', skus: ['CT-MON-27Q'], quantity: 12 },
    ]);
    expect(out['expectedDeliveryDate']).toBe('2026-03-18');
    const milestones = out['milestones'] as { name: string; dueDate: string }[];
    expect(milestones[0]).toEqual({ name: 'Order acknowledged by vendor', dueDate: '2026-03-03' });
    expect(milestones.at(-1)).toEqual({
      name: 'Invoice matched to order and receipt',
      dueDate: '2026-03-23',
    });
    expect(milestones.map((m) => m.dueDate)).toEqual([...milestones.map((m) => m.dueDate)].sort());
  });

  it('uses the default lead time and today by the clock when the input gives neither', async () => {
    const out = await runAgent('builtin.fulfillment-scheduler', {
      poNumber: 'PO-2',
      items: [{ sku: 'X', description: 'Thing', quantity: 1, unitPrice: 1 }],
      defaultLeadTimeDays: 3,
    });
    // 2026-01-01 is a Thursday: Fri, Mon, Tue.
    expect(out['expectedDeliveryDate']).toBe('2026-01-06');
  });

  it('rejects an order date that is not a calendar day', async () => {
    const error = await rejection(
      testRuntime().invoke(
        invocation(definition('builtin.fulfillment-scheduler'), {
          poNumber: 'PO-3',
          orderDate: '2026-02-31',
          items: [{ sku: 'X', description: 'Thing', quantity: 1, unitPrice: 1 }],
        }),
      ),
    );
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringContaining('input.orderDate') as unknown,
    });
  });
});
