import { builtinAgent } from './builtin-agent.js';
import { formatAmount } from './money.js';
import { termKey, words } from './text/words.js';

interface Factor {
  name: string;
  points: number;
  max: number;
  reason: string;
}

/** Points each factor can earn; they add up to 100. */
const MAX = { budget: 30, authority: 25, need: 20, timeline: 15, fit: 10 } as const;

/** Titles by decision power, strongest first, with the share of the authority points they earn. */
const AUTHORITY: readonly [RegExp, number, string][] = [
  [
    /\b(?:chief|ceo|cfo|cto|coo|cio|ciso|cmo|president|owner|founder|partner|managing director|general manager)\b/i,
    1,
    'an executive decision maker',
  ],
  [
    /\b(?:vp|svp|evp|vice president|head of|director)\b/i,
    0.8,
    'a senior leader who usually controls the budget',
  ],
  [/\b(?:manager|lead|principal|supervisor)\b/i, 0.48, 'a manager who influences the decision'],
];

/** Words in call notes that point at a real need. */
const NEED_TERMS = new Set(
  (
    'need require problem pain issue challenge manual paper spreadsheet lost slow delay error mistake backlog ' +
    'compliance audit regulation risk replace legacy outdated automate automation integrate integration scale ' +
    'growth cost inefficient bottleneck visibility security breach deadline urgent'
  ).split(' '),
);

/**
 * `builtin.lead-scorer`: a BANT score from explicit weighted rules. Budget (30): full points at
 * `minDealSize`, proportional below. Authority (25): executives 25, VPs/directors 20, managers 12, other
 * titles 5. Need (20): 5 per distinct pain-point term in the notes, at most 20. Timeline (15): ≤ 3 months
 * 15, ≤ 6 months 10, ≤ 12 months 5. Fit (10): 5 for a target industry, 5 for 50+ employees (2 for 10–49).
 * Grade A ≥ 80, B ≥ 60, C ≥ 40, else D; qualified at `qualifyingScore`.
 */
export const leadScorer = builtinAgent('builtin.lead-scorer', async (input, ctx) => {
  input.string('company', { minLength: 1 });
  const budget = input.number('budget', { min: 0 });
  const minDealSize = input.number('minDealSize', { default: 25_000, min: 0 });
  const title = input.optionalString('contactTitle')?.trim() ?? '';
  const notes = input.optionalString('notes') ?? '';
  const timelineMonths = input.optionalNumber('timelineMonths', { min: 0 });
  const industry = input.optionalString('industry')?.trim() ?? '';
  const employees = input.optionalNumber('employees', { min: 0, integer: true });
  const targetIndustries = input.has('targetIndustries')
    ? input.strings('targetIndustries')
    : ['software', 'healthcare', 'financial services', 'manufacturing', 'logistics'];
  const qualifyingScore = input.number('qualifyingScore', { default: 60, min: 0, max: 100 });
  await ctx.step();

  const factors: Factor[] = [];
  const budgetShare = minDealSize === 0 ? 1 : Math.min(1, budget / minDealSize);
  factors.push({
    name: 'budget',
    points: Math.round(MAX.budget * budgetShare),
    max: MAX.budget,
    reason:
      budgetShare >= 1
        ? `Stated budget ${formatAmount(budget)} meets the minimum deal size of ${formatAmount(minDealSize)}.`
        : `Stated budget ${formatAmount(budget)} is ${Math.round(budgetShare * 100)}% of the minimum deal size of ${formatAmount(minDealSize)}.`,
  });

  const authority = AUTHORITY.find(([pattern]) => pattern.test(title));
  factors.push({
    name: 'authority',
    points: authority ? Math.round(MAX.authority * authority[1]) : title === '' ? 0 : 5,
    max: MAX.authority,
    reason:
      title === ''
        ? 'No contact title given.'
        : `"${title}" is ${authority ? authority[2] : 'not a known decision role'}.`,
  });

  const found = [
    ...new Set(
      words(notes)
        .map(termKey)
        .filter((w) => NEED_TERMS.has(w)),
    ),
  ];
  factors.push({
    name: 'need',
    points: Math.min(MAX.need, 5 * found.length),
    max: MAX.need,
    reason:
      found.length === 0
        ? 'The notes name no pain point.'
        : `The notes name ${found.length} pain point term(s): ${found.join(', ')}.`,
  });

  const timelinePoints =
    timelineMonths === undefined
      ? 0
      : timelineMonths <= 3
        ? 15
        : timelineMonths <= 6
          ? 10
          : timelineMonths <= 12
            ? 5
            : 0;
  factors.push({
    name: 'timeline',
    points: timelinePoints,
    max: MAX.timeline,
    reason:
      timelineMonths === undefined
        ? 'No buying timeline given.'
        : `Wants to buy within ${timelineMonths} month(s).`,
  });

  const industryFits =
    industry !== '' && targetIndustries.some((t) => t.trim().toLowerCase() === industry.toLowerCase());
  const sizePoints = employees === undefined ? 0 : employees >= 50 ? 5 : employees >= 10 ? 2 : 0;
  factors.push({
    name: 'fit',
    points: (industryFits ? 5 : 0) + sizePoints,
    max: MAX.fit,
    reason: `${industry === '' ? 'No industry given' : industryFits ? `${industry} is a target industry` : `${industry} is not a target industry`}; ${employees === undefined ? 'size unknown' : `${employees} employees`}.`,
  });

  const score = Math.min(
    100,
    factors.reduce((sum, f) => sum + f.points, 0),
  );
  const grade = score >= 80 ? 'A' : score >= 60 ? 'B' : score >= 40 ? 'C' : 'D';
  return { score, grade, qualified: score >= qualifyingScore, factors };
});
