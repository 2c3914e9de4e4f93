import { stableDigits } from '../stable-hash.js';
import { builtinAgent } from './builtin-agent.js';
import { invalidInput } from './input-fields.js';
import { toCents } from './money.js';

const PAYABLES_ACCOUNT = '2000-accounts-payable';

/**
 * `builtin.ledger-poster` (simulated general ledger): `post` builds a balanced entry — debit the expense
 * account, credit accounts payable — with an entry id derived from the PO number and year; `reverse` builds
 * the mirror entry for the entry id it is given. Writes to no accounting system.
 */
export const ledgerPoster = builtinAgent('builtin.ledger-poster', async (input, ctx) => {
  const action = input.choice('action', ['post', 'reverse'] as const, 'post');
  const poNumber = input.string('poNumber', { minLength: 1 });
  const amount = toCents(input.number('amount', { min: 0 })) / 100;
  input.string('currency', { default: 'USD', pattern: /^[A-Z]{3}$/ });
  input.string('costCenter', { minLength: 1 });
  const expenseAccount = input.string('expenseAccount', { default: '6100-purchased-services', minLength: 1 });
  input.optionalString('memo');
  await ctx.step();
  const now = ctx.now();

  let entryId: string;
  if (action === 'reverse') {
    const given = input.optionalString('entryId', { minLength: 1 });
    if (given === undefined)
      throw invalidInput('input.entryId', 'required when action is reverse; give the entry to reverse');
    entryId = given;
  } else {
    entryId = `JE-${now.getUTCFullYear()}-${stableDigits(6, 'je', poNumber)}`;
  }
  const debitExpense = action === 'post';
  return {
    entryId,
    status: action === 'post' ? 'posted' : 'reversed',
    lines: [
      { account: expenseAccount, debit: debitExpense ? amount : 0, credit: debitExpense ? 0 : amount },
      { account: PAYABLES_ACCOUNT, debit: debitExpense ? 0 : amount, credit: debitExpense ? amount : 0 },
    ],
    at: now.toISOString(),
    simulated: true,
  };
});
