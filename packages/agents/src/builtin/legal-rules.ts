import type { Severity } from './severity.js';

/** Which texts a rule reads: what we promise (`proposal`) or terms offered to us (`contract`). */
export type RuleSet = 'proposal' | 'contract';

/** A rule that fires on a sentence. */
export interface ClauseRule {
  readonly id: string;
  readonly ruleSets: readonly RuleSet[];
  /** The sentence triggers the rule when it matches `pattern` and not `unless`. */
  readonly pattern: RegExp;
  readonly unless?: RegExp;
  /** The severity, or a function of the match when it depends on a figure (payment days). */
  readonly severity: Severity | ((match: RegExpExecArray) => Severity | undefined);
  readonly message: string;
  readonly recommendation: string;
}

/** A clause a text of the rule set must hold; fires once when no sentence matches `present`. */
export interface RequiredClauseRule {
  readonly id: string;
  readonly ruleSets: readonly RuleSet[];
  readonly clause: string;
  readonly present: RegExp;
  readonly severity: Severity;
  readonly message: string;
  readonly recommendation: string;
}

const BOTH: readonly RuleSet[] = ['proposal', 'contract'];
const CONTRACT: readonly RuleSet[] = ['contract'];

/**
 * The sentence rules of the legal reviewer. Patterns are deliberately narrow: a screening aid should flag
 * "liability shall be unlimited", not every sentence with "unlimited" in it.
 */
export const CLAUSE_RULES: readonly ClauseRule[] = [
  {
    id: 'LEGAL-UNLIMITED-LIABILITY',
    ruleSets: BOTH,
    pattern:
      /\b(?:unlimited|uncapped)\s+liabilit|\bliabilit\w*\b[^.;]{0,80}\b(?:unlimited|uncapped|without\s+(?:any\s+)?(?:limit|cap)|not\s+(?:be\s+)?(?:limited|capped))|\bno\s+(?:limit|cap)\s+(?:on|to)\s+(?:\w+\s+){0,2}liabilit/i,
    severity: 'critical',
    message: 'Liability is unlimited: one claim could exceed the value of the whole deal.',
    recommendation:
      'Cap liability, e.g. at the fees paid in the 12 months before the claim, and exclude indirect damages.',
  },
  {
    id: 'LEGAL-UNCAPPED-INDEMNITY',
    ruleSets: BOTH,
    pattern:
      /\bindemnif\w*\b[^.;]*\b(?:any\s+and\s+all|without\s+(?:any\s+)?(?:limit|cap)|unlimited|uncapped|all\s+(?:claims|losses|damages)|howsoever)/i,
    unless: /\b(?:subject\s+to|up\s+to|capped|limited\s+to|not\s+to\s+exceed)\b/i,
    severity: 'critical',
    message: 'An indemnity covers any and all claims with no cap.',
    recommendation: 'Limit the indemnity to third-party claims caused by the indemnifying party, and cap it.',
  },
  {
    id: 'LEGAL-INDEMNIFICATION',
    ruleSets: BOTH,
    pattern: /\bindemnif\w*|\bhold\s+(?:\w+\s+){0,3}harmless\b/i,
    unless:
      /\b(?:any\s+and\s+all|without\s+(?:any\s+)?(?:limit|cap)|unlimited|uncapped|all\s+(?:claims|losses|damages)|howsoever)\b/i,
    severity: 'medium',
    message: 'The text creates an indemnity obligation.',
    recommendation:
      'Check its scope (third-party claims only), the procedure for claims, and that it falls under the liability cap.',
  },
  {
    id: 'LEGAL-OUTCOME-GUARANTEE',
    ruleSets: BOTH,
    pattern:
      /\bguarantee[sd]?\b|\b100\s?%\s+(?:uptime|availability|accuracy|compliance|success)|\berror[- ]free\b|\brisk[- ]free\b|\bwill\s+(?:ensure|eliminate)\b/i,
    unless: /\b(?:no|not|never|without)\s+(?:\w+\s+){0,2}guarantee|\bdoes\s+not\s+guarantee\b/i,
    severity: 'high',
    message: 'The text guarantees an outcome that cannot be fully controlled.',
    recommendation:
      'Promise reasonable efforts or a service level with service credits as the sole remedy, not an absolute outcome.',
  },
  {
    id: 'LEGAL-CONSEQUENTIAL-DAMAGES',
    ruleSets: BOTH,
    pattern:
      /\b(?:liable|liability|responsible)\b[^.;]{0,80}\b(?:consequential|indirect|special|punitive)\s+(?:damages|loss)|\b(?:liable|responsible)\s+for\s+(?:any\s+)?(?:lost\s+profits|loss\s+of\s+(?:profits?|revenue|business))/i,
    unless: /\b(?:not|no|neither|nor|excluding|excludes?|excluded|except)\b/i,
    severity: 'high',
    message: 'The text accepts liability for indirect or consequential damages.',
    recommendation: 'Exclude indirect, consequential and lost-profit damages for both parties.',
  },
  {
    id: 'LEGAL-LIQUIDATED-DAMAGES',
    ruleSets: BOTH,
    pattern:
      /\bliquidated\s+damages\b|\bpenalt(?:y|ies)\b[^.;]{0,60}\b(?:per\s+(?:day|week)|each\s+day|for\s+each|delay)/i,
    severity: 'high',
    message: 'The text sets penalties or liquidated damages.',
    recommendation:
      'Cap them, make them the sole remedy for the delay, and tie them to causes within our control.',
  },
  {
    id: 'LEGAL-IP-ASSIGNMENT',
    ruleSets: BOTH,
    pattern:
      /\b(?:intellectual\s+property|copyrights?|patents?|deliverables)\b[^.;]{0,80}\b(?:shall\s+be\s+assigned|assigns?|transfers?|shall\s+vest|vests?|exclusively\s+owned)\b|\bwork\s+made\s+for\s+hire\b/i,
    severity: 'high',
    message: 'Intellectual property passes to the other party.',
    recommendation:
      'Keep ownership of pre-existing IP and products; grant a licence to the deliverables instead of assigning them.',
  },
  {
    id: 'LEGAL-NON-COMPETE',
    ruleSets: BOTH,
    pattern:
      /\bnon-?compet\w*|\b(?:shall|will|may)\s+not\s+(?:provide|offer|sell|license)\s+(?:\w+\s+){0,3}(?:to\s+)?(?:any\s+)?competitors?\b|\bexclusiv(?:e|ity)\s+(?:supplier|provider|vendor|dealing|arrangement)\b/i,
    severity: 'high',
    message: 'The text restricts whom we may sell to or work for.',
    recommendation:
      'Remove the restriction, or narrow it to named competitors, a short period and the contracted scope.',
  },
  {
    id: 'LEGAL-NON-SOLICIT',
    ruleSets: BOTH,
    pattern: /\bnon-?solicit\w*|\bshall\s+not\s+(?:solicit|hire|employ)\b/i,
    severity: 'low',
    message: "The text restricts hiring the other party's staff.",
    recommendation:
      'Make it mutual, limit it to staff involved in the work and to 12 months, and allow general job ads.',
  },
  {
    id: 'LEGAL-AUTO-RENEWAL',
    ruleSets: CONTRACT,
    pattern:
      /\b(?:renews?|renewed|renewal)\b[^.;]{0,60}\bautomatic(?:ally)?\b|\bautomatic(?:ally)?\b[^.;]{0,40}\brenew|\bevergreen\b/i,
    severity: 'medium',
    message: 'The agreement renews automatically.',
    recommendation:
      'Track the notice deadline, or ask for renewal by written agreement with a price review at each renewal.',
  },
  {
    id: 'LEGAL-TERMINATION-FOR-CONVENIENCE',
    ruleSets: CONTRACT,
    pattern:
      /\bterminat\w*\b[^.;]{0,80}\b(?:for\s+convenience|for\s+any\s+reason|without\s+cause|at\s+any\s+time)\b/i,
    severity: 'medium',
    message: 'A party may end the agreement without cause.',
    recommendation:
      'Make the right mutual, require at least 90 days notice, and have work done and committed costs paid on termination.',
  },
  {
    id: 'LEGAL-UNILATERAL-CHANGE',
    ruleSets: CONTRACT,
    pattern:
      /\b(?:may|can|reserves?\s+the\s+right\s+to)\s+(?:unilaterally\s+)?(?:increase|change|modify|amend|adjust|raise)\s+(?:the\s+|its\s+|any\s+|these\s+)?(?:fees|prices?|pricing|rates|charges|terms|agreement)\b|\b(?:sole|absolute)\s+discretion\b/i,
    severity: 'high',
    message: 'One party may change prices or terms on its own.',
    recommendation:
      'Require written agreement of both parties for changes, or cap increases and give a right to terminate.',
  },
  {
    id: 'LEGAL-LONG-PAYMENT-TERMS',
    ruleSets: CONTRACT,
    pattern:
      /\b(?:pay|paid|payment|payable|invoices?)\b[^.;]{0,80}?\b(?:within|net|after)\s+(\d{1,3})\s*(?:calendar\s+|business\s+|working\s+)?days?\b|\bnet[- ]?(\d{2,3})\b/i,
    severity: (match) => {
      const days = Number(match[1] ?? match[2]);
      return days > 90 ? 'high' : days > 60 ? 'medium' : undefined;
    },
    message: 'Payment terms are longer than 60 days, which strains cash flow.',
    recommendation: 'Ask for payment within 30 days of invoice, with interest on late payment.',
  },
  {
    id: 'LEGAL-MOST-FAVORED-CUSTOMER',
    ruleSets: CONTRACT,
    pattern:
      /\bmost[- ]favou?red\b|\bbest\s+(?:price|pricing|terms)\s+(?:\w+\s+){0,2}(?:offered|given|granted)\s+to\s+any\b/i,
    severity: 'medium',
    message: 'A most-favoured-customer clause ties our prices to every other deal.',
    recommendation: 'Remove it, or limit it to the same products, volumes and terms over a short period.',
  },
];

/** Clauses the rule sets expect on their own, besides the `requiredClauses` of the input. */
export const REQUIRED_CLAUSE_RULES: readonly RequiredClauseRule[] = [
  {
    id: 'LEGAL-GOVERNING-LAW-MISSING',
    ruleSets: CONTRACT,
    clause: 'governing law',
    present:
      /\bgovern(?:ing|ed)\b[^.;]{0,40}\blaws?\b|\blaws?\s+of\s+(?:the\s+)?(?:state|commonwealth|province|republic|kingdom)\b|\bjurisdiction\b/i,
    severity: 'medium',
    message: 'The agreement names no governing law.',
    recommendation: 'Name the governing law and the competent courts, ideally our home jurisdiction.',
  },
];
