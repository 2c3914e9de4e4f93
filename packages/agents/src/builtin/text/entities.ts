import { nlp } from './nlp.js';
import { findDates } from './dates.js';

/** The kinds of entity the keyword extractor reports. */
export type EntityType =
  'organization' | 'person' | 'place' | 'date' | 'money' | 'percentage' | 'email' | 'url' | 'phone';

/** One mention of an entity in a text. */
export interface EntityMention {
  readonly text: string;
  readonly type: EntityType;
  readonly index: number;
}

const PATTERNS: readonly [EntityType, RegExp][] = [
  ['email', /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g],
  ['url', /\b(?:https?:\/\/|www\.)[^\s<>()"']+/g],
  ['phone', /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)/g],
  [
    'money',
    /(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand|[kKmM])\b)?|\b(?:USD|EUR|GBP|CHF|CAD|AUD)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion))?|\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|dollars|euros)\b)/g,
  ],
  ['percentage', /\b\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)/g],
  [
    'organization',
    /\b(?:[A-Z][\w&'’-]*\s+){1,5}(?:Inc|Ltd|LLC|LLP|GmbH|AG|PLC|Corp|Corporation|Company|Agency|Department|Partners|Group|Holdings|Bank|University|Authority|Council|Institute|Foundation|Association|Systems|Technologies|Solutions|Labs)\b\.?/g,
  ],
  [
    'organization',
    /\b(?:City|County|Department|Ministry|Office|Board|University|Bank|Bureau|Commission)\s+of\s+(?:the\s+)?[A-Z][\w-]*(?:\s+(?:and\s+)?[A-Z][\w-]*)*/g,
  ],
];

/** Precedence when two mentions overlap at the same start: the first kind in this list wins. */
const PRECEDENCE: readonly EntityType[] = [
  'email',
  'url',
  'phone',
  'money',
  'percentage',
  'date',
  'organization',
  'person',
  'place',
];

/**
 * Finds entity mentions: e-mail addresses, URLs, phone numbers, money amounts, percentages, dates and
 * organizations by pattern; people and places (and organizations the patterns miss) with compromise's
 * named-entity tagging (unless `tag` is false), keeping only capitalized names. Overlapping mentions keep
 * the longest.
 */
export function findEntityMentions(text: string, tag = true): EntityMention[] {
  const mentions: EntityMention[] = [];
  for (const [type, pattern] of PATTERNS) {
    for (const m of text.matchAll(pattern)) mentions.push({ type, text: trimEntity(m[0]), index: m.index });
  }
  for (const date of findDates(text)) mentions.push({ type: 'date', text: date.text, index: date.index });

  if (tag) {
    const doc = nlp()(text);
    const tagged: [EntityType, unknown][] = [
      ['person', doc.people().json({ offset: true })],
      ['place', doc.places().json({ offset: true })],
      ['organization', doc.organizations().json({ offset: true })],
    ];
    for (const [type, json] of tagged) {
      if (!Array.isArray(json)) continue;
      for (const item of json as unknown[]) {
        const offset = (item as { offset?: { start?: unknown; length?: unknown } }).offset;
        if (typeof offset?.start !== 'number' || typeof offset.length !== 'number') continue;
        const name = trimEntity(text.slice(offset.start, offset.start + offset.length));
        if (isProperName(name))
          mentions.push({ type, text: name, index: offset.start + text.slice(offset.start).indexOf(name) });
      }
    }
  }

  mentions.sort(
    (a, b) =>
      a.index - b.index ||
      b.text.length - a.text.length ||
      PRECEDENCE.indexOf(a.type) - PRECEDENCE.indexOf(b.type),
  );
  const kept: EntityMention[] = [];
  for (const mention of mentions) {
    if (mention.text === '') continue;
    const last = kept.at(-1);
    if (last && mention.index < last.index + last.text.length) continue;
    kept.push(mention);
  }
  return kept;
}

function trimEntity(text: string): string {
  let trimmed = text.replace(/^[\s"'“]+/, '').replace(/[\s,;:!?"'”]+$/, '');
  // Parentheses belong to the entity only when they pair up: "(555) 201-7740", not "(VP Operations".
  const open = (trimmed.match(/\(/g) ?? []).length;
  const close = (trimmed.match(/\)/g) ?? []).length;
  if (open > close) trimmed = trimmed.replace(/^\(+/, '');
  if (close > open) trimmed = trimmed.replace(/\)+$/, '');
  return trimmed.trim().replace(/(?<![A-Z][a-z]{0,4})\.$/, '');
}

/** Two or more words, each capitalized, no possessive: "Marcus Ellery", "United States". */
function isProperName(name: string): boolean {
  const parts = name.split(/\s+/);
  if (/['’]s\b/.test(name)) return false;
  if (parts.length === 1) return /^\p{Lu}[\p{Ll}]{2,}$/u.test(name);
  return parts.every((p) => /^(?:\p{Lu}[\p{L}.'’-]*|of|the|and|de|van|von)$/u.test(p));
}
