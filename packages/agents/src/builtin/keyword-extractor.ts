import { nlp } from './text/nlp.js';
import { builtinAgent } from './builtin-agent.js';
import { outlineDocument } from './text/document-outline.js';
import { findEntityMentions, type EntityMention } from './text/entities.js';
import { splitSentences } from './text/sentences.js';
import { isContentWord, termKey, words } from './text/words.js';

interface Tally {
  /** Surface forms and how often each was written. */
  readonly forms: Map<string, number>;
  count: number;
  weight: number;
  first: number;
  inHeading: boolean;
}

const HEADING_WEIGHT = 2;
/** Extra weight of a mention within the first fifth of the text. */
const EARLY_BONUS = 0.5;
const NOUN_FACTOR = 1.25;
const PHRASE_FACTOR = 1.5;
/** Characters of a text that go through part-of-speech tagging. */
const TAGGING_LIMIT = 50_000;

/**
 * `builtin.keyword-extractor`: term frequency without stop words. Every mention of a content word or of a
 * two-word phrase (both words content words, no punctuation between) adds weight 1, 2 in a heading, +0.5 in
 * the first fifth of the text; nouns (by compromise's tagger) weigh 1.25 times more and phrases 1.5 times
 * more when they occur twice or in a heading. A phrase must do so or be a noun phrase by the tagger;
 * names of people are left to the entities; and a word that only ever occurs inside a kept phrase is
 * left to the phrase. Scores are relative to the top keyword. Entities come from `findEntityMentions`.
 */
export const keywordExtractor = builtinAgent('builtin.keyword-extractor', async (input, ctx) => {
  const text = input.string('text', { minLength: 1 });
  const maxKeywords = input.number('maxKeywords', { default: 10, integer: true, min: 1, max: 100 });
  const extraStopWords = new Set(input.strings('stopWords', { optional: true }).flatMap((w) => words(w)));

  const totalWords = words(text).length;
  const earlyLimit = Math.max(20, totalWords / 5);
  const unigrams = new Map<string, Tally>();
  const bigrams = new Map<string, Tally>();
  const nouns = new Set<string>();
  const nounPhrases = new Set<string>();
  let position = 0;

  const add = (
    table: Map<string, Tally>,
    key: string,
    form: string,
    weight: number,
    heading: boolean,
  ): void => {
    const tally = table.get(key) ?? {
      forms: new Map<string, number>(),
      count: 0,
      weight: 0,
      first: position,
      inHeading: false,
    };
    tally.forms.set(form, (tally.forms.get(form) ?? 0) + 1);
    tally.count++;
    tally.weight += weight;
    tally.inHeading ||= heading;
    table.set(key, tally);
  };

  let tagged = 0;
  for (const block of outlineDocument(text)) {
    await ctx.step();
    const heading = block.kind === 'heading';
    // Part-of-speech tagging is the slow part; a long text's opening is enough to know its nouns.
    tagged += block.text.length;
    if (tagged <= TAGGING_LIMIT) {
      const doc = nlp()(block.text);
      for (const noun of doc.match('#Noun').out('array') as unknown[]) {
        if (typeof noun === 'string') for (const w of words(noun)) nouns.add(termKey(w));
      }
      for (const phrase of doc.nouns().out('array') as unknown[]) {
        if (typeof phrase !== 'string') continue;
        const parts = words(phrase);
        for (let i = 0; i + 1 < parts.length; i++)
          nounPhrases.add(`${termKey(parts[i] ?? '')} ${termKey(parts[i + 1] ?? '')}`);
      }
    }
    const units = heading ? [block.text] : splitSentences(block.text);
    for (const chunk of units.flatMap((u) => u.split(/[,;:()[\]"“”!?]+|\.(?=\s|$)/))) {
      const tokens = words(chunk);
      for (let i = 0; i < tokens.length; i++) {
        const word = tokens[i] ?? '';
        const weight = (heading ? HEADING_WEIGHT : 1) + (position < earlyLimit ? EARLY_BONUS : 0);
        if (isContentWord(word, extraStopWords)) {
          add(unigrams, termKey(word), word, weight, heading);
          const next = tokens[i + 1];
          if (next !== undefined && isContentWord(next, extraStopWords)) {
            add(bigrams, `${termKey(word)} ${termKey(next)}`, `${word} ${next}`, weight, heading);
          }
        }
        position++;
      }
    }
  }
  const entities: { text: string; type: string; count: number }[] = [];
  const seen = new Map<string, { text: string; type: string; count: number }>();
  for (const mention of await entityMentions(text, () => ctx.step())) {
    const key = `${mention.type}:${mention.text.toLowerCase()}`;
    const entry = seen.get(key);
    if (entry) entry.count++;
    else {
      const created = { text: mention.text, type: mention.type, count: 1 };
      seen.set(key, created);
      entities.push(created);
    }
  }
  // People are entities, not topics.
  const nameWords = new Set(
    entities.filter((e) => e.type === 'person').flatMap((e) => words(e.text).map(termKey)),
  );
  const isName = (key: string): boolean => key.split(' ').every((w) => nameWords.has(w));

  const scored: { term: string; count: number; score: number; first: number }[] = [];
  /** For each word, the highest count of a kept phrase holding it. */
  const phraseCount = new Map<string, number>();
  for (const [key, tally] of bigrams) {
    const repeated = tally.count >= 2 || tally.inHeading;
    if ((!repeated && !nounPhrases.has(key)) || isName(key)) continue;
    const last = key.split(' ')[1] ?? '';
    const factor = (repeated ? PHRASE_FACTOR : 1) * (nouns.has(last) ? NOUN_FACTOR : 1);
    scored.push({
      term: commonForm(tally),
      count: tally.count,
      score: tally.weight * factor,
      first: tally.first,
    });
    for (const part of key.split(' '))
      phraseCount.set(part, Math.max(phraseCount.get(part) ?? 0, tally.count));
  }
  for (const [key, tally] of unigrams) {
    const covered = (phraseCount.get(key) ?? 0) >= tally.count;
    if (covered || isName(key)) continue;
    const factor = nouns.has(key) ? NOUN_FACTOR : 1;
    scored.push({
      term: commonForm(tally),
      count: tally.count,
      score: tally.weight * factor,
      first: tally.first,
    });
  }
  scored.sort((a, b) => b.score - a.score || b.count - a.count || a.first - b.first);
  const best = scored.slice(0, maxKeywords);
  const top = best[0]?.score ?? 1;
  const keywords = best.map((k) => ({
    term: k.term,
    count: k.count,
    score: Math.round((k.score / top) * 1000) / 1000,
  }));

  return { keywords, terms: keywords.map((k) => k.term), entities };
});

/** Entity mentions, paragraph by paragraph so a long text does not block; tagging stops at TAGGING_LIMIT. */
async function entityMentions(text: string, step: () => Promise<void>): Promise<EntityMention[]> {
  const mentions: EntityMention[] = [];
  const breaks = /\n\s*\n/g;
  let start = 0;
  for (;;) {
    await step();
    const found = breaks.exec(text);
    const end = found ? found.index : text.length;
    for (const m of findEntityMentions(text.slice(start, end), start < TAGGING_LIMIT)) {
      mentions.push({ ...m, index: m.index + start });
    }
    if (!found) return mentions;
    start = found.index + found[0].length;
  }
}

function commonForm(tally: Tally): string {
  let best = '';
  let bestCount = 0;
  for (const [form, count] of tally.forms) {
    if (count > bestCount) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}
