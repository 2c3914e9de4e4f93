import { builtinAgent } from './builtin-agent.js';
import { formatAmount, roundTo, toCents } from './money.js';
import { bySeverityDescending, type Severity } from './severity.js';

interface Flag {
  department: string;
  severity: Severity;
  message: string;
}

/** Revenue falls by at least this many percent: a medium flag; twice as much: high. */
const REVENUE_DROP_PERCENT = 10;

/**
 * `builtin.financial-analyzer`: per department, profit = revenue − expenses, margin = profit ÷ revenue,
 * budget variance = budget − expenses (and its share of budget), revenue growth against the prior period.
 * Status: over_budget when expenses exceed budget by more than the threshold percent, watch when they
 * exceed it by less, else on_track. Flags: over budget (high beyond twice the threshold, else medium), watch
 * (low), negative margin of a revenue-earning department (high), revenue down 10% (medium) or 20% (high),
 * and a company-wide loss (critical), most severe first. Highlights are one sentence each.
 */
export const financialAnalyzer = builtinAgent('builtin.financial-analyzer', async (input, ctx) => {
  const threshold = input.number('varianceThresholdPercent', { default: 5, min: 0 });
  const flags: Flag[] = [];
  const totals = { revenue: 0, expenses: 0, budget: 0, comparableRevenue: 0, priorRevenue: 0 };
  const departments = [];

  for (const d of input.objects('departments', { minItems: 1 })) {
    await ctx.step();
    const name = d.string('name');
    const revenue = toCents(d.number('revenue'));
    const expenses = toCents(d.number('expenses'));
    const budget = toCents(d.number('budget'));
    const priorRevenue = toCents(d.optionalNumber('priorRevenue') ?? 0);
    totals.revenue += revenue;
    totals.expenses += expenses;
    totals.budget += budget;
    if (priorRevenue > 0) {
      totals.comparableRevenue += revenue;
      totals.priorRevenue += priorRevenue;
    }

    const profit = revenue - expenses;
    const marginPercent = revenue === 0 ? 0 : roundTo((profit / revenue) * 100, 2);
    const budgetVariance = budget - expenses;
    const budgetVariancePercent = budget === 0 ? 0 : roundTo((budgetVariance / budget) * 100, 2);
    const revenueGrowthPercent =
      priorRevenue === 0 ? 0 : roundTo(((revenue - priorRevenue) / priorRevenue) * 100, 2);
    const overrunPercent = -budgetVariancePercent;
    const status = overrunPercent > threshold ? 'over_budget' : budgetVariance < 0 ? 'watch' : 'on_track';

    if (status === 'over_budget') {
      flags.push({
        department: name,
        severity: overrunPercent > 2 * threshold ? 'high' : 'medium',
        message: `Expenses are ${overrunPercent}% over budget (${formatAmount(-budgetVariance / 100)} over).`,
      });
    } else if (status === 'watch') {
      flags.push({
        department: name,
        severity: 'low',
        message: `Expenses are ${overrunPercent}% over budget, within the ${threshold}% tolerance.`,
      });
    }
    if (revenue > 0 && profit < 0)
      flags.push({ department: name, severity: 'high', message: `Negative margin of ${marginPercent}%.` });
    if (revenueGrowthPercent <= -2 * REVENUE_DROP_PERCENT) {
      flags.push({
        department: name,
        severity: 'high',
        message: `Revenue fell ${-revenueGrowthPercent}% against the prior period.`,
      });
    } else if (revenueGrowthPercent <= -REVENUE_DROP_PERCENT) {
      flags.push({
        department: name,
        severity: 'medium',
        message: `Revenue fell ${-revenueGrowthPercent}% against the prior period.`,
      });
    }
    departments.push({
      name,
      profit: profit / 100,
      marginPercent,
      budgetVariance: budgetVariance / 100,
      budgetVariancePercent,
      revenueGrowthPercent,
      status,
    });
  }

  const profit = totals.revenue - totals.expenses;
  const marginPercent = totals.revenue === 0 ? 0 : roundTo((profit / totals.revenue) * 100, 2);
  if (profit < 0)
    flags.push({
      department: 'Company',
      severity: 'critical',
      message: `The company made a loss of ${formatAmount(-profit / 100)}.`,
    });
  flags.sort(bySeverityDescending);

  const highlights = [
    `Revenue was ${formatAmount(totals.revenue / 100)} against expenses of ${formatAmount(totals.expenses / 100)}, a ${profit >= 0 ? 'profit' : 'loss'} of ${formatAmount(Math.abs(profit) / 100)} and a margin of ${marginPercent}%.`,
  ];
  if (totals.priorRevenue > 0) {
    const growth = roundTo(((totals.comparableRevenue - totals.priorRevenue) / totals.priorRevenue) * 100, 1);
    highlights.push(
      `Revenue of the departments that reported a prior period ${growth >= 0 ? 'grew' : 'fell'} ${Math.abs(growth)}% overall.`,
    );
  }
  const grower = [...departments]
    .filter((d) => d.revenueGrowthPercent > 0)
    .sort((a, b) => b.revenueGrowthPercent - a.revenueGrowthPercent)[0];
  if (grower) highlights.push(`${grower.name} grew revenue fastest, by ${grower.revenueGrowthPercent}%.`);
  const over = departments.filter((d) => d.status === 'over_budget');
  highlights.push(
    over.length === 0
      ? 'Every department kept its expenses within the budget tolerance.'
      : `${over.map((d) => d.name).join(' and ')} ${over.length === 1 ? 'is' : 'are'} over budget beyond the ${threshold}% tolerance.`,
  );
  const totalVariance = totals.budget - totals.expenses;
  highlights.push(
    `Total expenses are ${formatAmount(Math.abs(totalVariance) / 100)} ${totalVariance >= 0 ? 'under' : 'over'} the combined budget.`,
  );

  return {
    departments,
    totals: {
      revenue: totals.revenue / 100,
      expenses: totals.expenses / 100,
      profit: profit / 100,
      marginPercent,
      budgetVariance: totalVariance / 100,
    },
    flags,
    highlights,
  };
});
