import { builtinAgent } from './builtin-agent.js';
import { toCents } from './money.js';

interface Issue {
  department: string;
  field: string;
  message: string;
}

const REQUIRED_FIGURES = ['revenue', 'expenses', 'budget'] as const;
const OPTIONAL_FIGURES = ['priorRevenue', 'priorExpenses'] as const;

/**
 * `builtin.data-collector`: turns the period's department figures into one checked data set. Amounts are
 * rounded to cents. A missing figure counts as 0 and marks the department incomplete (and is reported);
 * negative figures are kept and reported; a department named twice keeps its first entry. Totals are summed
 * in whole cents. A figure of the wrong type is an input error.
 */
export const dataCollector = builtinAgent('builtin.data-collector', async (input, ctx) => {
  const period = input.string('period', { minLength: 1 });
  const currency = input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const departments: Record<string, unknown>[] = [];
  const totals = { revenue: 0, expenses: 0, budget: 0, headcount: 0 };

  for (const entry of input.objects('departments', { minItems: 1 })) {
    await ctx.step();
    const name = entry.string('name').trim();
    const key = name.toLowerCase();
    if (seen.has(key)) {
      issues.push({
        department: name,
        field: 'name',
        message: 'Department listed more than once; the first entry is kept.',
      });
      continue;
    }
    seen.add(key);
    let complete = true;
    const figure = (field: string): number => {
      const value = entry.optionalNumber(field);
      if (value === undefined) {
        complete = false;
        issues.push({ department: name, field, message: `${field} is missing; counted as 0.` });
        return 0;
      }
      if (value < 0) issues.push({ department: name, field, message: `${field} is negative (${value}).` });
      return toCents(value);
    };
    const [revenue, expenses, budget] = REQUIRED_FIGURES.map(figure) as [number, number, number];
    const [priorRevenue, priorExpenses] = OPTIONAL_FIGURES.map(figure) as [number, number];
    const headcount = entry.optionalNumber('headcount', { integer: true, min: 0 });
    if (headcount === undefined) {
      complete = false;
      issues.push({ department: name, field: 'headcount', message: 'headcount is missing; counted as 0.' });
    }
    totals.revenue += revenue;
    totals.expenses += expenses;
    totals.budget += budget;
    totals.headcount += headcount ?? 0;
    departments.push({
      name,
      revenue: revenue / 100,
      expenses: expenses / 100,
      budget: budget / 100,
      headcount: headcount ?? 0,
      priorRevenue: priorRevenue / 100,
      priorExpenses: priorExpenses / 100,
      complete,
    });
  }
  return {
    period,
    currency,
    departments,
    totals: {
      revenue: totals.revenue / 100,
      expenses: totals.expenses / 100,
      budget: totals.budget / 100,
      headcount: totals.headcount,
    },
    issues,
  };
});
