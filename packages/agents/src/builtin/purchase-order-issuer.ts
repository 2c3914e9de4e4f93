import { stableDigits } from '../stable-hash.js';
import { builtinAgent } from './builtin-agent.js';
import { invalidInput } from './input-fields.js';
import { toCents } from './money.js';

/**
 * `builtin.purchase-order-issuer` (simulated ERP): `issue` totals the order lines in whole cents and returns
 * a PO number derived from the request id and year, so a repeated call returns the same number; `cancel`
 * echoes the PO number it is given. No ERP is called and no vendor is contacted.
 */
export const purchaseOrderIssuer = builtinAgent('builtin.purchase-order-issuer', async (input, ctx) => {
  const action = input.choice('action', ['issue', 'cancel'] as const, 'issue');
  const requestId = input.string('requestId', { minLength: 1 });
  const vendor = input.string('vendor', { minLength: 1 });
  const currency = input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });
  let totalCents = 0;
  for (const item of input.objects('items', { minItems: 1 })) {
    item.string('sku');
    totalCents += toCents(item.number('quantity', { above: 0 }) * item.number('unitPrice', { min: 0 }));
  }
  await ctx.step();
  const now = ctx.now();
  let poNumber: string;
  if (action === 'cancel') {
    const given = input.optionalString('poNumber', { minLength: 1 });
    if (given === undefined)
      throw invalidInput('input.poNumber', 'required when action is cancel; give the PO number to cancel');
    poNumber = given;
  } else {
    poNumber = `PO-${now.getUTCFullYear()}-${stableDigits(5, 'po', requestId)}`;
  }
  return {
    poNumber,
    status: action === 'cancel' ? 'cancelled' : 'issued',
    vendor,
    total: totalCents / 100,
    currency,
    at: now.toISOString(),
    simulated: true,
  };
});
