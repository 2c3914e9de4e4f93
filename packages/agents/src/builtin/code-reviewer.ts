import { builtinAgent } from './builtin-agent.js';
import { SEVERITIES, SEVERITY_WEIGHT, atOrAbove, type Severity } from './severity.js';
import { parseUnifiedDiff, type DiffFile } from './unified-diff.js';

interface LineRule {
  readonly id: string;
  readonly severity: Severity;
  readonly pattern: RegExp;
  /** Only files whose path matches; all files when absent. */
  readonly files?: RegExp;
  readonly message: string;
}

interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
}

const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;
const TYPESCRIPT = /\.(?:[cm]?tsx?)$/;
const SOURCE = /\.(?:[cm]?[jt]sx?|py|go|rb|java|kt|cs|rs|php|swift|scala|c|cc|cpp|h|hpp)$/;
const TEST =
  /(?:^|\/)(?:tests?|__tests__|spec)\/|[._-](?:test|spec)\.[^/]+$|_test\.go$|(?:^|\/)test_[^/]+\.py$/;

/** The rules on added lines. */
const LINE_RULES: readonly LineRule[] = [
  {
    id: 'CR-DEBUG-LEFTOVER',
    severity: 'medium',
    pattern: /\bconsole\.(?:log|debug|trace|dir)\s*\(|^\s*debugger\s*;?\s*$/,
    files: SCRIPT,
    message: 'Leftover debugging output or breakpoint.',
  },
  {
    id: 'CR-DEBUG-LEFTOVER',
    severity: 'medium',
    pattern: /^\s*print\s*\(|\bpdb\.set_trace\(|\bbreakpoint\(\)/,
    files: /\.py$/,
    message: 'Leftover debugging output or breakpoint.',
  },
  {
    id: 'CR-DEBUG-LEFTOVER',
    severity: 'medium',
    pattern: /\bSystem\.out\.print|\bfmt\.Print(?:ln|f)?\(|\bvar_dump\(|\bdd\(/,
    message: 'Leftover debugging output.',
  },
  {
    id: 'CR-TODO',
    severity: 'low',
    pattern: /\b(?:TODO|FIXME|XXX|HACK)\b/,
    message: 'A TODO or FIXME is added; track it in an issue or resolve it.',
  },
  {
    id: 'CR-CHECKS-DISABLED',
    severity: 'medium',
    pattern:
      /eslint-disable|@ts-(?:ignore|nocheck)|#\s*noqa|#\s*type:\s*ignore|\/\/\s*nolint|@SuppressWarnings/,
    message: 'A lint or type check is switched off.',
  },
  {
    id: 'CR-ANY-TYPE',
    severity: 'low',
    pattern: /(?::|\bas|<)\s*any\b(?!\s*[-\w])/,
    files: TYPESCRIPT,
    message: 'The `any` type turns off type checking for this value.',
  },
  {
    id: 'CR-EVAL',
    severity: 'high',
    pattern: /(?<![\w.])eval\s*\(|\bnew\s+Function\s*\(/,
    message: 'eval or new Function runs strings as code.',
  },
  {
    id: 'CR-EMPTY-CATCH',
    severity: 'medium',
    pattern: /\bcatch\s*(?:\([^)]*\))?\s*\{\s*\}|^\s*except(?:\s+[\w.]+)?(?:\s+as\s+\w+)?\s*:\s*pass\b/,
    message: 'An empty catch block swallows errors.',
  },
];

/**
 * `builtin.code-reviewer`: static review rules over the added lines of a unified diff (leftover debugging,
 * TODO/FIXME, disabled lint or type checks, `any`, eval, empty catch blocks), plus two rules about the whole
 * change: more than `maxChangedLines` lines changed, and source files changed without any test file. The
 * score is 100 minus the severity weights (low 5, medium 15, high 30, critical 50), at least 0; the change is
 * approved when no finding reaches `blockingSeverity`. It does not run the code.
 */
export const codeReviewer = builtinAgent('builtin.code-reviewer', async (input, ctx) => {
  const diff = input.string('diff', { minLength: 1 });
  const blockingSeverity = input.choice<Severity>('blockingSeverity', SEVERITIES, 'high');
  const maxChangedLines = input.number('maxChangedLines', { default: 400, integer: true, min: 1 });
  const declared = input.objects('files', { optional: true }).map((f) => ({
    path: f.string('path'),
    additions: f.number('additions', { integer: true, min: 0 }),
    deletions: f.number('deletions', { integer: true, min: 0 }),
  }));
  const files = parseUnifiedDiff(diff);

  const findings: Finding[] = [];
  for (const file of files) {
    await ctx.step();
    findings.push(...reviewFile(file));
  }
  const stats =
    declared.length > 0
      ? declared
      : files.map((f) => ({ path: f.path, additions: f.additions, deletions: f.deletions }));
  const additions = stats.reduce((sum, f) => sum + f.additions, 0);
  const deletions = stats.reduce((sum, f) => sum + f.deletions, 0);
  if (additions + deletions > maxChangedLines) {
    findings.push({
      ruleId: 'CR-LARGE-CHANGE',
      severity: 'medium',
      message: `The change touches ${additions + deletions} lines, more than ${maxChangedLines}; split it so it can be reviewed well.`,
      file: '',
      line: 0,
    });
  }
  const paths = stats.map((f) => f.path);
  const sources = paths.filter((p) => SOURCE.test(p) && !TEST.test(p));
  if (sources.length > 0 && !paths.some((p) => TEST.test(p))) {
    findings.push({
      ruleId: 'CR-NO-TESTS',
      severity: 'medium',
      message: `Source files change (${sources.slice(0, 3).join(', ')}${sources.length > 3 ? ', …' : ''}) but no test does.`,
      file: '',
      line: 0,
    });
  }

  const score = Math.max(0, 100 - findings.reduce((sum, f) => sum + SEVERITY_WEIGHT[f.severity], 0));
  const blocking = findings.filter((f) => atOrAbove(f.severity, blockingSeverity));
  const approved = blocking.length === 0;
  const summary = approved
    ? `Approved with score ${score}: ${findings.length === 0 ? 'no findings' : `${findings.length} finding(s) below ${blockingSeverity} severity`} in ${stats.length} file(s), +${additions} −${deletions}.`
    : `Changes requested (score ${score}): ${blocking.length} finding(s) at ${blockingSeverity} severity or above, e.g. ${blocking[0]?.message ?? ''} ${findings.length} finding(s) in all, ${stats.length} file(s), +${additions} −${deletions}.`;
  return { findings, score, approved, stats: { filesChanged: stats.length, additions, deletions }, summary };
});

function reviewFile(file: DiffFile): Finding[] {
  const findings: Finding[] = [];
  for (const added of file.added) {
    const fired = new Set<string>();
    for (const rule of LINE_RULES) {
      if (fired.has(rule.id) || (rule.files && !rule.files.test(file.path)) || !rule.pattern.test(added.text))
        continue;
      fired.add(rule.id);
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        message: rule.message,
        file: file.path,
        line: added.line,
      });
    }
  }
  return findings;
}
