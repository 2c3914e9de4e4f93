import { builtinAgent } from './builtin-agent.js';
import { CLAUSE_RULES, REQUIRED_CLAUSE_RULES, type RuleSet } from './legal-rules.js';
import { SEVERITY_WEIGHT, bySeverityDescending, type Severity } from './severity.js';
import { outlineDocument } from './text/document-outline.js';
import { splitSentences } from './text/sentences.js';
import { countPhrase } from './text/words.js';

interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  excerpt: string;
  recommendation: string;
}

const MAX_EXCERPT = 300;
/** A numbered clause title such as "5. Indemnification." states nothing; the sentences after it do. */
const CLAUSE_TITLE = /^(?:\d+(?:\.\d+)*\.?\s+)?[\p{L}&-]+(?:\s+[\p{L}&-]+){0,3}[.:]?$/u;
const VERB = /\b(?:is|are|be|been|was|were|shall|will|may|must|can|has|have|does|do|not)\b/i;
const MAX_SCORE = 100;

/**
 * `builtin.legal-reviewer`: a rule-based clause and risk screen (see `CLAUSE_RULES`). Every sentence is
 * checked against the rules of the chosen rule set; each rule fires at most once per sentence. Required
 * clauses (the input's phrases, and the governing law for contracts) that no sentence holds are findings
 * too, listed last. The risk score adds up severity weights (low 5, medium 15, high 30, critical 50) up to
 * 100; the review passes with no critical finding and a score of at most `maxRiskScore`. A screening aid,
 * not legal advice.
 */
export const legalReviewer = builtinAgent('builtin.legal-reviewer', async (input, ctx) => {
  const text = input.string('text', { minLength: 1 });
  const ruleSet = input.choice<RuleSet>('ruleSet', ['proposal', 'contract'], 'proposal');
  const requiredClauses = input
    .strings('requiredClauses', { optional: true })
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const maxRiskScore = input.number('maxRiskScore', { default: 40, min: 0, max: 100 });

  const rules = CLAUSE_RULES.filter((rule) => rule.ruleSets.includes(ruleSet));
  const findings: Finding[] = [];
  const sentences: string[] = [];
  for (const block of outlineDocument(text)) {
    await ctx.step();
    const units = block.kind === 'heading' ? [block.text] : splitSentences(block.text);
    for (const sentence of units) {
      sentences.push(sentence);
      if (CLAUSE_TITLE.test(sentence) && !VERB.test(sentence)) continue;
      for (const rule of rules) {
        const match = rule.pattern.exec(sentence);
        if (!match || rule.unless?.test(sentence)) continue;
        const severity = typeof rule.severity === 'function' ? rule.severity(match) : rule.severity;
        if (!severity) continue;
        findings.push({
          ruleId: rule.id,
          severity,
          message: rule.message,
          excerpt: excerpt(sentence),
          recommendation: rule.recommendation,
        });
      }
    }
  }

  const missingClauses = requiredClauses.filter((clause) => countPhrase(text, clause) === 0);
  for (const clause of missingClauses) {
    findings.push({
      ruleId: 'LEGAL-MISSING-CLAUSE',
      severity: 'medium',
      message: `The text has no "${clause}" clause, which is required.`,
      excerpt: '',
      recommendation: `Add a ${clause} clause.`,
    });
  }
  for (const rule of REQUIRED_CLAUSE_RULES) {
    if (!rule.ruleSets.includes(ruleSet) || sentences.some((s) => rule.present.test(s))) continue;
    // Already reported as a missing required phrase.
    if (missingClauses.some((clause) => countPhrase(clause, rule.clause) > 0)) continue;
    missingClauses.push(rule.clause);
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: rule.message,
      excerpt: '',
      recommendation: rule.recommendation,
    });
  }

  const riskScore = Math.min(
    MAX_SCORE,
    findings.reduce((sum, f) => sum + SEVERITY_WEIGHT[f.severity], 0),
  );
  const critical = findings.some((f) => f.severity === 'critical');
  const passed = !critical && riskScore <= maxRiskScore;
  return {
    findings,
    missingClauses,
    riskScore,
    passed,
    summary: summarize(findings, missingClauses, riskScore, maxRiskScore, passed),
  };
});

function summarize(
  findings: readonly Finding[],
  missing: readonly string[],
  score: number,
  limit: number,
  passed: boolean,
): string {
  if (findings.length === 0) {
    return 'No risky clause found and no required clause missing (risk score 0). A screening aid, not legal advice.';
  }
  const counts = (['critical', 'high', 'medium', 'low'] as const)
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const worst = [...findings].sort(bySeverityDescending).slice(0, 3);
  const topics = [...new Set(worst.map((f) => f.message.replace(/[.:].*$/, '').toLowerCase()))].join('; ');
  const verdict = passed
    ? `Passed: risk score ${score} is within the limit of ${limit} and nothing is critical.`
    : `Needs legal review: risk score ${score}${score > limit ? ` exceeds the limit of ${limit}` : ''}${findings.some((f) => f.severity === 'critical') ? ' and there are critical findings' : ''}.`;
  const missingText = missing.length > 0 ? ` Missing clauses: ${missing.join(', ')}.` : '';
  return `${verdict} ${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts}); most serious: ${topics}.${missingText} A screening aid, not legal advice.`;
}

function excerpt(sentence: string): string {
  return sentence.length <= MAX_EXCERPT ? sentence : `${sentence.slice(0, MAX_EXCERPT - 1).trimEnd()}…`;
}
