import { builtinAgent } from './builtin-agent.js';
import { outlineDocument } from './text/document-outline.js';
import { splitSentences } from './text/sentences.js';
import { isContentWord, termKey, words } from './text/words.js';

interface Candidate {
  readonly text: string;
  readonly order: number;
  readonly terms: string[];
  readonly firstInBlock: boolean;
  score: number;
}

/** Bonus of the document's opening sentences, first to third. */
const OPENING_BONUS = [0.3, 0.2, 0.1];
const FIRST_IN_PARAGRAPH_BONUS = 0.1;
const FOCUS_BONUS = 0.5;
/** Shorter text units are labels ("Contact: …") or headings, not sentences worth quoting. */
const MIN_WORDS = 6;

/**
 * `builtin.summarizer`: an extractive summary. Each sentence scores the mean frequency of its content words
 * (relative to the most frequent word of the text), plus a bonus for opening the document or its paragraph
 * and for each focus term it holds; the best `maxSentences` are returned in their original order. Headings
 * and short label lines are never picked; when the text has nothing else, its first units are.
 */
export const summarizer = builtinAgent('builtin.summarizer', async (input, ctx) => {
  const text = input.string('text', { minLength: 1 });
  const maxSentences = input.number('maxSentences', { default: 3, integer: true, min: 1, max: 20 });
  const focus = input.strings('focus', { optional: true }).flatMap((term) => words(term).map(termKey));

  const all: Candidate[] = [];
  for (const block of outlineDocument(text)) {
    await ctx.step();
    if (block.kind === 'heading') continue;
    splitSentences(block.text).forEach((sentence, i) => {
      const terms = words(sentence)
        .filter((w) => isContentWord(w))
        .map(termKey);
      all.push({ text: sentence, order: all.length, terms, firstInBlock: i === 0, score: 0 });
    });
  }
  const prose = all.filter((c) => words(c.text).length >= MIN_WORDS && /[.!?]["')\]]?$/.test(c.text));
  const candidates = prose.length > 0 ? prose : all;

  const frequency = new Map<string, number>();
  for (const c of candidates) for (const t of c.terms) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  let top = 1;
  for (const count of frequency.values()) top = Math.max(top, count);
  candidates.forEach((c, rank) => {
    const mean =
      c.terms.length === 0
        ? 0
        : c.terms.reduce((sum, t) => sum + (frequency.get(t) ?? 0), 0) / c.terms.length / top;
    const focusHits = focus.filter((f) => c.terms.includes(f)).length;
    c.score =
      mean +
      (OPENING_BONUS[rank] ?? 0) +
      (c.firstInBlock ? FIRST_IN_PARAGRAPH_BONUS : 0) +
      FOCUS_BONUS * focusHits;
  });
  await ctx.step();

  const chosen = [...candidates]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, maxSentences)
    .sort((a, b) => a.order - b.order)
    .map((c) => c.text);
  const summary = chosen.join(' ');
  return {
    summary,
    sentences: chosen,
    sourceSentenceCount: all.length,
    compressionRatio:
      text.length === 0 ? 0 : Math.min(1, Math.round((summary.length / text.length) * 1000) / 1000),
  };
});
