import { builtinAgent } from './builtin-agent.js';
import { formatAmount, toCents } from './money.js';
import { markdownTable } from './text/markdown.js';

interface Price {
  description: string;
  unitPrice: number;
  unit: string;
  tiers: { minQuantity: number; unitPrice: number }[];
}

/**
 * `builtin.pricing-calculator`: prices a quote from a price list. A line's unit price is the list price, or
 * the price of the highest volume tier (`tiers: [{ minQuantity, unitPrice }]`) the quantity reaches. Every
 * line amount is rounded to cents and the totals are summed in whole cents, so they are exact: discount on
 * the subtotal, tax on the discounted subtotal, total = subtotal − discount + tax. Unknown SKUs are listed
 * and left out; a SKU requested twice is priced as two lines.
 */
export const pricingCalculator = builtinAgent('builtin.pricing-calculator', async (input, ctx) => {
  const priceList = new Map<string, Price>();
  for (const entry of input.objects('priceList', { minItems: 1 })) {
    const sku = entry.string('sku', { minLength: 1 });
    if (priceList.has(sku)) continue;
    priceList.set(sku, {
      description: entry.string('description'),
      unitPrice: entry.number('unitPrice', { min: 0 }),
      unit: entry.optionalString('unit') ?? '',
      tiers: entry
        .objects('tiers', { optional: true })
        .map((tier) => ({
          minQuantity: tier.number('minQuantity', { min: 0 }),
          unitPrice: tier.number('unitPrice', { min: 0 }),
        }))
        .sort((a, b) => b.minQuantity - a.minQuantity),
    });
  }
  const discountPercent = input.number('discountPercent', { default: 0, min: 0, max: 100 });
  const taxRatePercent = input.number('taxRatePercent', { default: 0, min: 0, max: 100 });
  const currency = input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });

  const lineItems: {
    sku: string;
    description: string;
    quantity: number;
    unit: string;
    unitPrice: number;
    amount: number;
  }[] = [];
  const unknownSkus: string[] = [];
  let subtotalCents = 0;
  for (const item of input.objects('items', { minItems: 1 })) {
    await ctx.step();
    const sku = item.string('sku');
    const quantity = item.number('quantity', { above: 0 });
    const price = priceList.get(sku);
    if (!price) {
      if (!unknownSkus.includes(sku)) unknownSkus.push(sku);
      continue;
    }
    const unitPrice = price.tiers.find((tier) => quantity >= tier.minQuantity)?.unitPrice ?? price.unitPrice;
    const amountCents = toCents(quantity * unitPrice);
    subtotalCents += amountCents;
    lineItems.push({
      sku,
      description: price.description,
      quantity,
      unit: price.unit,
      unitPrice,
      amount: amountCents / 100,
    });
  }
  const discountCents = toCents((subtotalCents * discountPercent) / 10_000);
  const taxCents = toCents(((subtotalCents - discountCents) * taxRatePercent) / 10_000);
  const totalCents = subtotalCents - discountCents + taxCents;

  const subtotal = subtotalCents / 100;
  const discount = discountCents / 100;
  const tax = taxCents / 100;
  const total = totalCents / 100;
  const table = markdownTable(
    ['SKU', 'Description', 'Quantity', 'Unit', `Unit price (${currency})`, `Amount (${currency})`],
    lineItems.map((l) => [
      l.sku,
      l.description,
      String(l.quantity),
      l.unit,
      formatAmount(l.unitPrice),
      formatAmount(l.amount),
    ]),
    ['left', 'left', 'right', 'left', 'right', 'right'],
  );
  const totals = [`| Subtotal | ${currency} ${formatAmount(subtotal)} |`, '| --- | ---: |'];
  if (discountCents > 0)
    totals.push(`| Discount (${discountPercent}%) | −${currency} ${formatAmount(discount)} |`);
  if (taxCents > 0) totals.push(`| Tax (${taxRatePercent}%) | ${currency} ${formatAmount(tax)} |`);
  totals.push(`| **Total** | **${currency} ${formatAmount(total)}** |`);
  const note =
    unknownSkus.length > 0 ? `\n\nNot quoted (not in the price list): ${unknownSkus.join(', ')}.` : '';
  const markdown = `${table}\n\n${totals.join('\n')}${note}\n`;

  return { lineItems, subtotal, discount, tax, total, currency, unknownSkus, markdown };
});
