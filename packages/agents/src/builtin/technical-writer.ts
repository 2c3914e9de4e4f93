import { builtinAgent } from './builtin-agent.js';
import { countWords, markdownTable } from './text/markdown.js';
import { contentTerms, countPhrase } from './text/words.js';

/** Words every requirement of a request uses; sharing them says nothing about a match. */
const GENERIC_TERMS = new Set(
  'system solution vendor provider provide offer proposal city county agency customer client user staff data service ability support'.split(
    ' ',
  ),
);
const ADDRESSED_AT = 3;
const EXCERPT_LENGTH = 90;

type Status = 'addressed' | 'partial' | 'gap';

interface Row {
  requirementId: string;
  solutionId: string;
  status: Status;
}

/**
 * `builtin.technical-writer`: writes a technical section from templates. Each requirement is matched to the
 * solution with the strongest tie: 2 points per solution keyword found in the requirement plus 1 per
 * meaningful term they share (generic words such as "system" or "vendor" left out). 3 points or more is
 * addressed, 1–2 partial, 0 a gap. The Markdown has an opening paragraph, one approach paragraph per
 * solution naming the requirements it answers, the compliance matrix, and the open points.
 */
export const technicalWriter = builtinAgent('builtin.technical-writer', async (input, ctx) => {
  const title = input.string('title', { minLength: 1 });
  const requirements = input.objects('requirements').map((r) => ({
    id: r.string('id'),
    text: r.string('text'),
    priority: r.optionalString('priority') ?? '',
  }));
  const solutions = input.objects('solutions').map((s) => {
    const keywords = s.strings('matchedKeywords', { optional: true });
    const name = s.string('name');
    const description = s.string('description');
    return {
      id: s.string('id'),
      name,
      description,
      keywords,
      terms: meaningful(`${name} ${description} ${keywords.join(' ')}`),
    };
  });
  const introduction = input.optionalString('introduction');

  const matrix: Row[] = [];
  for (const requirement of requirements) {
    await ctx.step();
    const terms = meaningful(requirement.text);
    let best: { id: string; strength: number } = { id: '', strength: 0 };
    for (const solution of solutions) {
      const keywordHits = solution.keywords.filter((k) => countPhrase(requirement.text, k) > 0).length;
      let shared = 0;
      for (const term of terms) if (solution.terms.has(term)) shared++;
      const strength = 2 * keywordHits + shared;
      if (strength > best.strength) best = { id: solution.id, strength };
    }
    const status: Status =
      best.strength >= ADDRESSED_AT ? 'addressed' : best.strength > 0 ? 'partial' : 'gap';
    matrix.push({ requirementId: requirement.id, solutionId: status === 'gap' ? '' : best.id, status });
  }

  const counts = { addressed: 0, partial: 0, gap: 0 };
  for (const row of matrix) counts[row.status]++;
  const coverage =
    matrix.length === 0 ? 0 : Math.round(((counts.addressed + counts.partial) / matrix.length) * 1000) / 1000;

  const parts = [`## ${title}`, introduction?.trim() || standardIntroduction(matrix.length, counts)];
  if (solutions.length > 0) {
    parts.push('### Proposed solution');
    for (const solution of solutions) {
      const answered = matrix.filter((row) => row.solutionId === solution.id).map((row) => row.requirementId);
      const tie =
        answered.length === 0
          ? 'No requirement maps to it directly; it completes the offering.'
          : `It answers ${answered.length} requirement${answered.length === 1 ? '' : 's'}: ${answered.join(', ')}.`;
      parts.push(`**${solution.name}.** ${solution.description.trim()} ${tie}`);
    }
  }
  if (requirements.length > 0) {
    const names = new Map(solutions.map((s) => [s.id, s.name]));
    parts.push('### Compliance matrix');
    parts.push(
      markdownTable(
        ['Requirement', 'Priority', 'Statement', 'Answered by', 'Status'],
        requirements.map((r, i) => {
          const row = matrix[i];
          return [
            r.id,
            r.priority,
            excerpt(r.text),
            names.get(row?.solutionId ?? '') ?? '—',
            row?.status ?? 'gap',
          ];
        }),
      ),
    );
  }
  const gaps = requirements.filter((_, i) => matrix[i]?.status === 'gap');
  if (gaps.length > 0) {
    parts.push('### Open points');
    parts.push(
      'These requirements have no matching solution in our offering and are answered separately:\n\n' +
        gaps.map((r) => `- ${r.id}: ${r.text}`).join('\n'),
    );
  }
  const markdown = `${parts.join('\n\n')}\n`;
  return { title, markdown, matrix, coverage, wordCount: countWords(markdown) };
});

function meaningful(text: string): Set<string> {
  const terms = contentTerms(text);
  for (const generic of GENERIC_TERMS) terms.delete(generic);
  return terms;
}

function standardIntroduction(total: number, counts: Record<Status, number>): string {
  if (total === 0) return 'This section describes the solution we propose.';
  return (
    `This section describes how the proposed solution meets the ${total} requirement${total === 1 ? '' : 's'} of the ` +
    `request: ${counts.addressed} addressed, ${counts.partial} partially addressed and ${counts.gap} open.`
  );
}

function excerpt(text: string): string {
  return text.length <= EXCERPT_LENGTH ? text : `${text.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`;
}
