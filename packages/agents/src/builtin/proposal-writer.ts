import { stableHash } from '../stable-hash.js';
import { builtinAgent } from './builtin-agent.js';
import { formatMoney } from './money.js';
import { addDays, isoDay, parseIsoDay } from './text/dates.js';

/**
 * `builtin.proposal-writer`: a sales proposal in Markdown from the deal facts, written from a template: an
 * opening addressed to the contact, the customer's needs as given, the pricing table as given, the total,
 * validity (today by the runtime's clock plus `validityDays`) and next steps. The proposal id is derived
 * from the company and the offer, so the same offer always gets the same id.
 */
export const proposalWriter = builtinAgent('builtin.proposal-writer', async (input, ctx) => {
  const company = input.string('company', { minLength: 1 }).trim();
  const contactName = input.optionalString('contactName')?.trim() ?? '';
  const needs = input
    .strings('needs', { optional: true })
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const pricingMarkdown = input.string('pricingMarkdown', { minLength: 1 }).trim();
  const total = input.number('total', { min: 0 });
  const currency = input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });
  const validityDays = input.number('validityDays', { default: 30, integer: true, min: 1, max: 3650 });
  const sellerName = input.string('sellerName', { default: 'Baton Demo Co.' }).trim();
  await ctx.step();

  const today = parseIsoDay(isoDay(ctx.now()));
  const validUntil = isoDay(addDays(today, validityDays));
  const slug =
    company
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, ' ')
      .trim()
      .split(' ')[0]
      ?.slice(0, 10) || 'CUSTOMER';
  const proposalId = `PROP-${slug}-${stableHash(company, currency, String(total), pricingMarkdown).slice(0, 4).toUpperCase()}`;
  const title = `Proposal for ${company}`;

  const needsText =
    needs.length > 0
      ? `You told us what matters most to ${company}:\n\n${needs.map((n) => `- ${capitalize(n)}`).join('\n')}\n\nThe offer below is built around these needs.`
      : `The offer below follows our conversations with ${company}.`;
  const markdown = [
    `# ${title}`,
    `_${sellerName} · ${proposalId} · valid until ${validUntil}_`,
    `${contactName === '' ? 'Hello' : `Dear ${contactName}`},\n\nthank you for the time you gave us. This proposal sets out how ${sellerName} can help ${company}, what it costs, and how we would start.`,
    `## Your needs\n\n${needsText}`,
    `## Pricing\n\n${pricingMarkdown}\n\nTotal investment: **${formatMoney(total, currency)}**.`,
    `## Validity\n\nThis offer is valid for ${validityDays} days, until ${validUntil}. Prices are in ${currency}.`,
    `## Next steps\n\n1. Review this proposal with your team.\n2. A call with us to settle open questions.\n3. Contract signature and kick-off.`,
  ].join('\n\n');
  return { proposalId, title, markdown: `${markdown}\n`, validUntil };
});

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
