/**
 * An amount in whole cents, rounded half away from zero. Rounding goes through 15 significant digits first,
 * so binary fractions such as 1.005 × 100 = 100.49999… round the way a person expects.
 */
export function toCents(amount: number): number {
  const scaled = Number((Math.abs(amount) * 100).toPrecision(15));
  const cents = Math.round(scaled);
  return amount < 0 ? -cents : cents;
}

/** An amount rounded to cents. */
export function roundCents(amount: number): number {
  return toCents(amount) / 100;
}

/** A value rounded to `digits` decimals, for percentages and ratios. */
export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  const scaled = Number((Math.abs(value) * factor).toPrecision(15));
  const rounded = Math.round(scaled) / factor;
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

const amountFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** An amount for people to read: "USD 1,234.50". */
export function formatMoney(amount: number, currency: string): string {
  return `${currency} ${amountFormat.format(amount)}`;
}

/** A number with thousands separators and two decimals: "1,234.50". */
export function formatAmount(amount: number): string {
  return amountFormat.format(amount);
}
