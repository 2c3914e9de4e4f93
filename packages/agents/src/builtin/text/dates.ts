/** A date found in a text. */
export interface FoundDate {
  /** As written. */
  readonly text: string;
  /** Character offset in the text. */
  readonly index: number;
  /** YYYY-MM-DD; empty when the text gives no day ("March 2026"). */
  readonly iso: string;
}

const MONTH = String.raw`(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)`;
const MONTH_NUMBERS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

interface DateRule {
  readonly pattern: RegExp;
  readonly iso: (m: RegExpExecArray) => string;
}

const RULES: readonly DateRule[] = [
  { pattern: /\b(\d{4})-(\d{2})-(\d{2})\b/g, iso: (m) => isoOf(m[1], m[2], m[3]) },
  {
    pattern: new RegExp(String.raw`\b${MONTH}\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`, 'gi'),
    iso: (m) => isoOf(m[3], monthNumber(m[1]), m[2]),
  },
  {
    pattern: new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\.?,?\s+(\d{4})\b`, 'gi'),
    iso: (m) => isoOf(m[3], monthNumber(m[2]), m[1]),
  },
  // Numeric dates are read month first, the US order RFPs in English mostly use.
  { pattern: /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/g, iso: (m) => isoOf(m[3], m[1], m[2]) },
  { pattern: new RegExp(String.raw`\b${MONTH}\s+(\d{4})\b`, 'gi'), iso: () => '' },
];

/** Every date in the text, in order, longest reading first where two overlap. Impossible days are skipped. */
export function findDates(text: string): FoundDate[] {
  const found: FoundDate[] = [];
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
      const iso = rule.iso(m);
      if (iso === 'invalid') continue;
      found.push({ text: m[0], index: m.index, iso });
    }
  }
  found.sort((a, b) => a.index - b.index || b.text.length - a.text.length);
  const kept: FoundDate[] = [];
  for (const date of found) {
    const last = kept.at(-1);
    if (last && date.index < last.index + last.text.length) continue;
    kept.push(date);
  }
  return kept;
}

function monthNumber(name: string | undefined): string {
  return String(MONTH_NUMBERS[(name ?? '').slice(0, 3).toLowerCase()] ?? 0);
}

function isoOf(year: string | undefined, month: string | undefined, day: string | undefined): string {
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return 'invalid';
  return isoDay(date);
}

/** A UTC day as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Parses YYYY-MM-DD as a UTC day. */
export function parseIsoDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** The day `days` calendar days after `day`. */
export function addDays(day: Date, days: number): Date {
  return new Date(day.getTime() + days * 86_400_000);
}

/** The day `days` working days (Monday to Friday) after `day`; public holidays are not known. */
export function addWorkingDays(day: Date, days: number): Date {
  let current = day;
  let left = days;
  while (left > 0) {
    current = addDays(current, 1);
    const weekday = current.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return current;
}
