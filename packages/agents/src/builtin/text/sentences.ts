import { nlp } from './nlp.js';
import { collapse } from './document-outline.js';

/**
 * Splits one block of text into sentences with compromise's tokenizer (it knows abbreviations such as
 * "Inc.", "e.g." and "Dr." and decimal numbers), cutting the original text at the offsets it reports, so
 * every sentence is a piece of the source with its white space collapsed.
 */
export function splitSentences(text: string): string[] {
  const source = collapse(text);
  if (source === '') return [];
  const parsed = nlp().tokenize(source).json({ offset: true }) as unknown;
  const sentences: string[] = [];
  let covered = 0;
  if (Array.isArray(parsed)) {
    for (const item of parsed as unknown[]) {
      const offset = readOffset(item);
      if (!offset || offset.start < covered) continue;
      const sentence = source.slice(offset.start, offset.start + offset.length).trim();
      if (sentence !== '') sentences.push(sentence);
      covered = offset.start + offset.length;
    }
  }
  // Should the tokenizer report nothing usable, the block is one sentence rather than lost.
  return sentences.length > 0 ? sentences : [source];
}

function readOffset(item: unknown): { start: number; length: number } | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const offset = (item as { offset?: unknown }).offset;
  if (typeof offset !== 'object' || offset === null) return undefined;
  const { start, length } = offset as { start?: unknown; length?: unknown };
  return typeof start === 'number' && typeof length === 'number' && length > 0
    ? { start, length }
    : undefined;
}
