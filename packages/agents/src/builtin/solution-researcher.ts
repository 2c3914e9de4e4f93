import { builtinAgent } from './builtin-agent.js';
import { countPhrase } from './text/words.js';

/** Weight of a keyword found once, twice, three times or more. */
const OCCURRENCE_WEIGHT = [0, 0.6, 0.8, 1];

/**
 * `builtin.solution-researcher`: keyword matching of a text against a knowledge base given as input — no
 * search engine, no model. An entry's keywords are looked up as whole words (case-insensitive, plural and
 * hyphen tolerant); a keyword found once counts 0.6, twice 0.8, three times or more 1, and the entry scores
 * the mean over its keywords. Entries at or above `minScore` are returned best first (ties in knowledge-base
 * order), at most `maxResults`.
 */
export const solutionResearcher = builtinAgent('builtin.solution-researcher', async (input, ctx) => {
  const text = input.string('text', { minLength: 1 });
  const entries = input.objects('knowledgeBase', { minItems: 1 });
  const maxResults = input.number('maxResults', { default: 5, integer: true, min: 1, max: 50 });
  const minScore = input.number('minScore', { default: 0.2, min: 0, max: 1 });

  const scored: {
    id: string;
    name: string;
    description: string;
    matchedKeywords: string[];
    score: number;
    order: number;
  }[] = [];
  const unmatched: string[] = [];
  for (const [order, entry] of entries.entries()) {
    await ctx.step();
    const id = entry.string('id');
    const keywords = entry.strings('keywords');
    let total = 0;
    const matchedKeywords: string[] = [];
    for (const keyword of keywords) {
      const occurrences = countPhrase(text, keyword);
      if (occurrences === 0) continue;
      matchedKeywords.push(keyword);
      total += OCCURRENCE_WEIGHT[Math.min(occurrences, 3)] ?? 1;
    }
    const score = keywords.length === 0 ? 0 : Math.round((total / keywords.length) * 1000) / 1000;
    if (score > 0 && score >= minScore) {
      scored.push({
        id,
        name: entry.string('name'),
        description: entry.string('description'),
        matchedKeywords,
        score,
        order,
      });
    } else {
      unmatched.push(id);
    }
  }
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  // Entries beyond maxResults reached minScore; they are simply not among the best.
  const solutions = scored.slice(0, maxResults).map(({ order: _order, ...solution }) => solution);
  return { solutions, count: solutions.length, unmatched };
});
