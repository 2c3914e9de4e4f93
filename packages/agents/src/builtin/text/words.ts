import { STOP_WORDS } from './stop-words.js';

const WORD = /[\p{L}\p{N}](?:[\p{L}\p{N}'’&-]*[\p{L}\p{N}])?/gu;

/** The words of a text in lower case, possessive "'s" removed. */
export function words(text: string): string[] {
  const found = text.toLowerCase().match(WORD) ?? [];
  return found.map((w) => w.replace(/['’]s$/, ''));
}

/** True for a word that can carry meaning: not a stop word, not a bare number, at least two letters. */
export function isContentWord(word: string, extraStopWords?: ReadonlySet<string>): boolean {
  if (STOP_WORDS.has(word) || extraStopWords?.has(word)) return false;
  if (!/\p{L}/u.test(word)) return false;
  return word.replace(/[^\p{L}]/gu, '').length >= 2;
}

/**
 * A light normal form that lets plurals meet their singular ("referrals" → "referral", "policies" →
 * "policy"). Not a stemmer: "migration" and "migrate" stay apart.
 */
export function termKey(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(?:ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !/(?:ss|us|is|ous)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** The distinct normal forms of a text's content words. */
export function contentTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of words(text)) if (isContentWord(word)) terms.add(termKey(word));
  return terms;
}

/**
 * A pattern that finds `phrase` as whole words, case-insensitively, with any run of spaces or hyphens
 * between its words ("sign-on" finds "sign on") and an optional plural ending; other punctuation ("24/7")
 * must match as written.
 */
export function phrasePattern(phrase: string): RegExp | undefined {
  const parts = phrase
    .trim()
    .split(/[\s-]+/)
    .filter((p) => p !== '');
  if (!parts.some((p) => /[\p{L}\p{N}]/u.test(p))) return undefined;
  const body = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('[\\s-]+');
  const plural = /\p{L}$/u.test(phrase.trim()) ? '(?:s|es)?' : '';
  return new RegExp(`(?<![\\p{L}\\p{N}])${body}${plural}(?![\\p{L}\\p{N}])`, 'giu');
}

/** How often `phrase` occurs in `text` as whole words (see `phrasePattern`). */
export function countPhrase(text: string, phrase: string): number {
  const pattern = phrasePattern(phrase);
  if (!pattern) return 0;
  let count = 0;
  for (const _ of text.matchAll(pattern)) count++;
  return count;
}
