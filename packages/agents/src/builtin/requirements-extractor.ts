import { builtinAgent } from './builtin-agent.js';
import { outlineDocument } from './text/document-outline.js';
import { splitSentences } from './text/sentences.js';

/** The modal words that make a sentence a requirement, strongest first. */
const KEYWORDS = ['must', 'shall', 'required', 'should', 'will', 'may', 'can'] as const;
type Keyword = (typeof KEYWORDS)[number];
type Priority = 'high' | 'medium' | 'low';

const PRIORITY_OF: Readonly<Record<Keyword, Priority>> = {
  must: 'high',
  shall: 'high',
  required: 'high',
  should: 'medium',
  will: 'medium',
  may: 'low',
  can: 'low',
};
const LEVELS: readonly Priority[] = ['low', 'medium', 'high'];

/** Sections whose headings lower or raise the priority of every requirement in them. */
const OPTIONAL_SECTION = /\b(?:optional|desirable|nice[- ]to[- ]have|preferred|wish(?:list)?)\b/i;
const MANDATORY_SECTION = /\b(?:mandatory|minimum|essential|critical)\b/i;
const OPTIONAL_SENTENCE = /\b(?:optionally|(?:is|are) optional|if possible|where possible|preferably)\b/i;

/** Requirement categories by keywords, first match wins. */
const CATEGORIES: readonly [string, RegExp][] = [
  [
    'security',
    /\b(?:secur\w*|encrypt\w*|authenticat\w*|sign-on|sso|saml|access control|audit|soc ?2|iso ?27001|password|privacy)\b/i,
  ],
  ['compliance', /\b(?:complian\w*|regulat\w*|gdpr|hipaa|retention|law|legal|licen[cs]\w*|certif\w*)\b/i],
  ['integration', /\b(?:integrat\w*|api|interface|connector|import|export|migrat\w*|erp|crm|webhook\w*)\b/i],
  [
    'performance',
    /\b(?:performance|response time|latency|uptime|availability|scalab\w*|throughput|recovery|backup\w*|rto|rpo)\b/i,
  ],
  ['support', /\b(?:support|training|help ?desk|maintenance|incident\w*|sla|service level)\b/i],
  [
    'commercial',
    /\b(?:pric\w*|fees?|cost\w*|invoice\w*|payment\w*|insurance|contract\w*|warrant\w*|liabilit\w*)\b/i,
  ],
  ['submission', /\b(?:proposals?|submission|submit\w*|deadline|questions?|bidders?)\b/i],
];

/** One requirement as the agent returns it. */
interface Requirement {
  id: string;
  text: string;
  priority: Priority;
  keyword: Keyword;
  category: string;
  section: string;
}

/**
 * `builtin.requirements-extractor`: splits a document into sentences and keeps those that state an
 * obligation (must, shall, required, should, will, may, can), numbering them in document order. Priority
 * follows the strongest modal word (must/shall/required → high, should/will → medium, may/can → low), one
 * level lower in sections headed optional/desirable or for sentences that say "optional", one level higher
 * in sections headed mandatory/minimum. The category comes from keywords of the sentence.
 */
export const requirementsExtractor = builtinAgent('builtin.requirements-extractor', async (input, ctx) => {
  const text = input.string('text', { minLength: 1 });
  const prefix = input.string('idPrefix', { default: 'REQ', pattern: /^[A-Za-z][A-Za-z0-9_-]*$/ });
  const requirements: Requirement[] = [];
  for (const block of outlineDocument(text)) {
    await ctx.step();
    if (block.kind === 'heading') continue;
    for (const sentence of splitSentences(block.text)) {
      const keyword = strongestKeyword(sentence);
      if (!keyword) continue;
      requirements.push({
        id: `${prefix}-${String(requirements.length + 1).padStart(3, '0')}`,
        text: sentence,
        priority: priorityOf(keyword, sentence, block.section),
        keyword,
        category: categoryOf(sentence),
        section: block.section,
      });
    }
  }
  const byPriority = { high: 0, medium: 0, low: 0 };
  for (const r of requirements) byPriority[r.priority]++;
  return { requirements, count: requirements.length, byPriority };
});

function strongestKeyword(sentence: string): Keyword | undefined {
  const lower = sentence.toLowerCase();
  for (const keyword of KEYWORDS) {
    if (new RegExp(`\\b${keyword}\\b`).test(lower)) return keyword;
  }
  // "cannot" holds "can" and is just as much a statement about what the system does.
  return /\bcannot\b/.test(lower) ? 'can' : undefined;
}

function priorityOf(keyword: Keyword, sentence: string, section: string): Priority {
  let level = LEVELS.indexOf(PRIORITY_OF[keyword]);
  if (OPTIONAL_SECTION.test(section) || OPTIONAL_SENTENCE.test(sentence)) level--;
  else if (MANDATORY_SECTION.test(section)) level++;
  return LEVELS[Math.min(2, Math.max(0, level))] ?? 'medium';
}

function categoryOf(sentence: string): string {
  for (const [category, pattern] of CATEGORIES) if (pattern.test(sentence)) return category;
  return 'functional';
}
