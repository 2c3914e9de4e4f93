import { ExpressionError } from '../errors/errors.js';
import { numberArg, stringArg, unsupported, type LibraryFunction } from './function-arguments.js';

const DAY_MS = 86_400_000;
const MAX_EPOCH_MS = 8.64e15;

// Only ISO-8601 forms are accepted: `Date.parse` on anything else depends on the host. A date-time
// without an offset is read as UTC, never as the host's local time.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds for an ISO-8601 date or date-time, or `undefined` when the text is not one. */
function parseIso(text: string): number | undefined {
  const match = ISO_DATE.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', offset = 'Z'] = match;
  // Date.parse would roll 2025-02-30 over into March; a calendar date that does not exist is rejected.
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth)
    return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const millis = fraction === '' ? '000' : fraction.slice(1, 4).padEnd(3, '0');
  const zone = offset === 'Z' ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
  const epoch = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${zone}`);
  return Number.isNaN(epoch) ? undefined : epoch;
}

/** A date argument as epoch milliseconds: a number of milliseconds or ISO-8601 text. */
function epochArg(name: string, args: readonly unknown[], index: number): number {
  const value = args[index];
  const epoch = typeof value === 'number' ? value : typeof value === 'string' ? parseIso(value) : undefined;
  if (epoch === undefined || !Number.isFinite(epoch) || Math.abs(epoch) > MAX_EPOCH_MS) {
    throw unsupported(
      name,
      index,
      'a date (epoch milliseconds or ISO-8601 text such as "2025-01-31")',
      value,
    );
  }
  return epoch;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Formats in UTC. Tokens: YYYY MM DD HH mm ss SSS; text in [brackets] is copied as it is. */
function format(epoch: number, pattern: string): string {
  const date = new Date(epoch);
  return pattern.replace(/\[([^\]]*)\]|YYYY|SSS|MM|DD|HH|mm|ss/g, (token, literal?: string) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY':
        return pad(date.getUTCFullYear(), 4);
      case 'MM':
        return pad(date.getUTCMonth() + 1, 2);
      case 'DD':
        return pad(date.getUTCDate(), 2);
      case 'HH':
        return pad(date.getUTCHours(), 2);
      case 'mm':
        return pad(date.getUTCMinutes(), 2);
      case 'ss':
        return pad(date.getUTCSeconds(), 2);
      default:
        return pad(date.getUTCMilliseconds(), 3);
    }
  });
}

/**
 * Dates and times, all in UTC. The current time comes only from the evaluation's injected clock
 * (`EvalOptions.now`), so the same clock always gives the same answers.
 */
export const DATE_FUNCTIONS: Readonly<Record<string, LibraryFunction>> = {
  now: {
    arity: [0, 0],
    signature: 'now() → the current time in epoch milliseconds',
    call: (ctx) => ctx.now(),
  },
  today: {
    arity: [0, 0],
    signature: 'today() → the current UTC date as "YYYY-MM-DD"',
    call: (ctx, _args, name) => format(epochArg(name, [ctx.now()], 0), 'YYYY-MM-DD'),
  },
  parseDate: {
    arity: [1, 1],
    signature: 'parseDate(text) → epoch milliseconds of ISO-8601 text (UTC unless it has an offset)',
    call: (_ctx, args, name) => {
      const text = stringArg(name, args, 0);
      const epoch = parseIso(text);
      if (epoch === undefined) {
        const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
        throw new ExpressionError('EXPRESSION_TYPE', `${name}(): ${shown} is not an ISO-8601 date`);
      }
      return epoch;
    },
  },
  formatDate: {
    arity: [1, 2],
    signature: 'formatDate(date, pattern = ISO-8601) → text, UTC; tokens YYYY MM DD HH mm ss SSS, [literal]',
    call: (_ctx, args, name) => {
      const epoch = epochArg(name, args, 0);
      return args.length > 1 ? format(epoch, stringArg(name, args, 1)) : new Date(epoch).toISOString();
    },
  },
  addDays: {
    arity: [2, 2],
    signature: 'addDays(date, days) → epoch milliseconds, days later (negative for earlier)',
    call: (_ctx, args, name) => {
      const result = epochArg(name, args, 0) + numberArg(name, args, 1) * DAY_MS;
      if (!Number.isFinite(result) || Math.abs(result) > MAX_EPOCH_MS) {
        throw new ExpressionError('EXPRESSION_TYPE', `${name}(): the resulting date is out of range`);
      }
      return result;
    },
  },
};
