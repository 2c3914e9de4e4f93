import { stableDigits } from '../stable-hash.js';
import { builtinAgent } from './builtin-agent.js';
import { formatMoney } from './money.js';

/**
 * `builtin.deal-closer` (simulated CRM): marks the deal closed-won and returns a deal id derived from the
 * company and proposal, so closing the same deal twice gives the same id, with a one-line summary for the
 * activity feed. No CRM is called.
 */
export const dealCloser = builtinAgent('builtin.deal-closer', async (input, ctx) => {
  const company = input.string('company', { minLength: 1 });
  const proposalId = input.string('proposalId', { minLength: 1 });
  const amount = input.number('amount', { min: 0 });
  const currency = input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });
  const discountPercent = input.number('discountPercent', { default: 0, min: 0, max: 100 });
  const risk = input.optionalNumber('contractRiskScore', { min: 0, max: 100 });
  const owner = input.optionalString('owner')?.trim() || 'unassigned';
  await ctx.step();
  const now = ctx.now();
  const dealId = `DEAL-${now.getUTCFullYear()}-${stableDigits(5, 'deal', company, proposalId)}`;
  const details = [
    discountPercent > 0 ? `${discountPercent}% discount` : 'no discount',
    risk === undefined ? 'contract risk not scored' : `contract risk ${risk}`,
    `owner ${owner}`,
  ].join(', ');
  return {
    dealId,
    stage: 'closed_won',
    closedAt: now.toISOString(),
    summary: `Closed won: ${company}, ${formatMoney(amount, currency)} (${details}), proposal ${proposalId}.`,
    simulated: true,
  };
});
