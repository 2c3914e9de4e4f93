import { builtinAgent } from './builtin-agent.js';
import { invalidInput } from './input-fields.js';
import { roundTo, toCents } from './money.js';

/** Utilization after the purchase above which a purchase that fits is "tight". */
const TIGHT_ABOVE_PERCENT = 90;

/**
 * `builtin.budget-checker`: checks a purchase against the department's row of a budget table given as
 * input. available = annual − committed − spent; the purchase is `within` budget when it fits, `tight` when
 * it fits but takes utilization above 90%, `over` when it does not fit. Departments match by name,
 * ignoring case and surrounding spaces; an unknown department is an input error naming the known ones.
 */
export const budgetChecker = builtinAgent('builtin.budget-checker', async (input, ctx) => {
  const department = input.string('department', { minLength: 1 });
  const amount = input.number('amount', { min: 0 });
  input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });
  const budgets = input.objects('budgets', { minItems: 1 });
  await ctx.step();

  const wanted = normalize(department);
  const row = budgets.find((b) => normalize(b.string('department')) === wanted);
  if (!row) {
    const known = budgets.map((b) => b.string('department')).join(', ');
    throw invalidInput(
      'input.department',
      `no budget for "${department}" in input.budgets; known departments: ${known}`,
    );
  }
  const annualCents = toCents(row.number('annual', { min: 0 }));
  const committedCents = toCents(row.number('committed'));
  const spentCents = toCents(row.number('spent'));
  const availableCents = annualCents - committedCents - spentCents;
  const remainingCents = availableCents - toCents(amount);
  const usedAfterCents = annualCents - remainingCents;
  const utilizationAfterPercent =
    annualCents === 0 ? (usedAfterCents > 0 ? 100 : 0) : roundTo((usedAfterCents / annualCents) * 100, 2);
  const withinBudget = remainingCents >= 0;
  const status = !withinBudget ? 'over' : utilizationAfterPercent > TIGHT_ABOVE_PERCENT ? 'tight' : 'within';
  return {
    department: row.string('department'),
    costCenter: row.string('costCenter'),
    available: availableCents / 100,
    remainingAfter: remainingCents / 100,
    utilizationAfterPercent,
    withinBudget,
    status,
  };
});

function normalize(name: string): string {
  return name.trim().toLowerCase();
}
