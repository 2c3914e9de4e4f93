import { builtinAgent } from './builtin-agent.js';
import { invalidInput } from './input-fields.js';
import { addWorkingDays, isoDay, parseIsoDay } from './text/dates.js';

/** Working days from order to acknowledgement, from shipping to delivery, and from delivery to invoice match. */
const ACKNOWLEDGE_DAYS = 1;
const TRANSIT_DAYS = 2;
const INVOICE_MATCH_DAYS = 3;
/** Ten years of working days: longer lead times are typing mistakes. */
const MAX_LEAD_TIME = 2600;

/**
 * `builtin.fulfillment-scheduler`: plans delivery of an order. Each line arrives its lead time (or the
 * default) in working days after the order date (today by the runtime's clock when absent; weekends
 * skipped, holidays not known); lines arriving the same day form one shipment. Milestones: order
 * acknowledged 1 working day after ordering, each shipment shipped 2 working days before it arrives and
 * received on arrival, and the invoice matched 3 working days after the last delivery. Plans only.
 */
export const fulfillmentScheduler = builtinAgent('builtin.fulfillment-scheduler', async (input, ctx) => {
  input.string('poNumber', { minLength: 1 });
  const orderDay = input.optionalString('orderDate', { pattern: /^\d{4}-\d{2}-\d{2}$/ });
  const defaultLeadTime = input.number('defaultLeadTimeDays', {
    default: 10,
    integer: true,
    min: 0,
    max: MAX_LEAD_TIME,
  });
  const items = input.objects('items', { minItems: 1 });
  const orderDate = orderDay === undefined ? parseIsoDay(isoDay(ctx.now())) : parseIsoDay(orderDay);
  if (Number.isNaN(orderDate.getTime()) || (orderDay !== undefined && isoDay(orderDate) !== orderDay))
    throw invalidInput('input.orderDate', `${orderDay ?? ''} is not a calendar day`);
  await ctx.step();

  const byDate = new Map<string, { skus: string[]; quantity: number }>();
  for (const item of items) {
    const sku = item.string('sku');
    const quantity = item.number('quantity', { above: 0 });
    const leadTime =
      item.optionalNumber('leadTimeDays', { integer: true, min: 0, max: MAX_LEAD_TIME }) ?? defaultLeadTime;
    const day = isoDay(addWorkingDays(orderDate, leadTime));
    const shipment = byDate.get(day) ?? { skus: [], quantity: 0 };
    if (!shipment.skus.includes(sku)) shipment.skus.push(sku);
    shipment.quantity += quantity;
    byDate.set(day, shipment);
  }
  const shipments = [...byDate.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([expectedDate, s]) => ({ expectedDate, skus: s.skus, quantity: s.quantity }));
  const expectedDeliveryDate = shipments.at(-1)?.expectedDate ?? isoDay(orderDate);

  const acknowledged = addWorkingDays(orderDate, ACKNOWLEDGE_DAYS);
  const milestones: { name: string; dueDate: string; order: number }[] = [
    { name: 'Order acknowledged by vendor', dueDate: isoDay(acknowledged), order: 0 },
  ];
  shipments.forEach((s, i) => {
    const label =
      shipments.length === 1 ? 'Shipment' : `Shipment ${i + 1} of ${shipments.length} (${s.skus.join(', ')})`;
    const arrival = parseIsoDay(s.expectedDate);
    const shipped = maxDate(acknowledged, subtractWorkingDays(arrival, TRANSIT_DAYS));
    milestones.push({ name: `${label} shipped`, dueDate: isoDay(shipped), order: 1 });
    milestones.push({ name: `${label} received`, dueDate: s.expectedDate, order: 2 });
  });
  milestones.push({
    name: 'Invoice matched to order and receipt',
    dueDate: isoDay(addWorkingDays(parseIsoDay(expectedDeliveryDate), INVOICE_MATCH_DAYS)),
    order: 3,
  });
  milestones.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.order - b.order);
  return {
    shipments,
    expectedDeliveryDate,
    milestones: milestones.map(({ name, dueDate }) => ({ name, dueDate })),
  };
});

function subtractWorkingDays(day: Date, days: number): Date {
  let current = day;
  let left = days;
  while (left > 0) {
    current = new Date(current.getTime() - 86_400_000);
    const weekday = current.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return current;
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
