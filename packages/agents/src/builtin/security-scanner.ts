import semver from 'semver';
import { builtinAgent } from './builtin-agent.js';
import { SEVERITIES, atOrAbove, type Severity } from './severity.js';
import { parseUnifiedDiff } from './unified-diff.js';

interface SecurityRule {
  readonly id: string;
  readonly severity: Severity;
  readonly pattern: RegExp;
  readonly unless?: RegExp;
  readonly message: string;
}

interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
}

/** Placeholder values that are not real secrets. */
const PLACEHOLDER =
  /(?:['"`])(?:|x+|\*+|changeme|change-me|password|secret|example|dummy|test|placeholder|<[^>]*>|\$\{[^}]*\})(?:['"`])/i;

const RULES: readonly SecurityRule[] = [
  {
    id: 'SEC-PRIVATE-KEY',
    severity: 'critical',
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY/,
    message: 'A private key is committed.',
  },
  {
    id: 'SEC-CLOUD-KEY',
    severity: 'critical',
    pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bAIza[0-9A-Za-z_-]{35}\b/,
    message: 'A cloud access key is committed.',
  },
  {
    id: 'SEC-TOKEN',
    severity: 'critical',
    pattern:
      /\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b|\bxox[abprs]-[A-Za-z0-9-]{10,}\b|\b[rs]k_live_[0-9a-zA-Z]{16,}\b|\bnpm_[A-Za-z0-9]{36}\b|\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
    message: 'An access token is committed.',
  },
  {
    id: 'SEC-HARDCODED-PASSWORD',
    severity: 'high',
    pattern:
      /\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)\b['"]?\s*[:=]\s*['"`][^'"`\s]{4,}['"`]/i,
    unless: PLACEHOLDER,
    message: 'A password or secret is written into the code; read it from the environment or a secret store.',
  },
  {
    id: 'SEC-EVAL',
    severity: 'high',
    pattern: /(?<![\w.])eval\s*\(|\bnew\s+Function\s*\(/,
    message: 'eval or new Function runs strings as code.',
  },
  {
    id: 'SEC-SHELL-INJECTION',
    severity: 'high',
    pattern:
      /\b(?:exec|execSync|spawn|spawnSync|system|popen|subprocess\.(?:call|run|Popen|check_output)|os\.system)\s*\((?=[^)]*(?:\+\s*\w|\$\{|%s|\bf["']|\.format\())/,
    message: 'A shell command is built from concatenated strings, open to command injection.',
  },
  {
    id: 'SEC-SHELL-INJECTION',
    severity: 'medium',
    pattern: /\bshell\s*=\s*True\b|\bshell:\s*true\b/,
    message: 'A command runs through a shell; pass arguments as a list instead.',
  },
  {
    id: 'SEC-TLS-DISABLED',
    severity: 'high',
    pattern:
      /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0|\bverify\s*=\s*False\b|InsecureSkipVerify\s*:\s*true|--insecure\b|\bstrictSSL\s*:\s*false/,
    message: 'TLS certificate verification is switched off.',
  },
  {
    id: 'SEC-PLAIN-HTTP',
    severity: 'low',
    pattern:
      /\bhttp:\/\/(?!localhost\b|127\.0\.0\.1\b|0\.0\.0\.0\b|\[::1\]|[\w.-]*\.(?:test|example|local|localhost|invalid)\b|example\.(?:com|org|net)\b|www\.w3\.org\b)/,
    message: 'A plain-HTTP URL sends data unencrypted.',
  },
];

/**
 * `builtin.security-scanner`: scans the added lines of a diff for secrets (private keys, cloud keys, tokens,
 * hard-coded passwords), dangerous calls (eval, shell commands built from strings, disabled TLS checks) and
 * plain-HTTP URLs, then checks each dependency against the advisories given as input with semver ranges
 * (versions like "v1.2" are coerced; unparsable ones are not matched). Fails when a finding reaches `failOn`.
 */
export const securityScanner = builtinAgent('builtin.security-scanner', async (input, ctx) => {
  const diff = input.string('diff', { minLength: 1 });
  const failOn = input.choice<Severity>('failOn', SEVERITIES, 'high');
  const dependencies = input
    .objects('dependencies', { optional: true })
    .map((d) => ({ name: d.string('name'), version: d.string('version') }));
  const advisories = input.objects('advisories', { optional: true }).map((a) => ({
    id: a.string('id'),
    package: a.string('package'),
    vulnerableRange: a.string('vulnerableRange'),
    severity: a.choice<Severity>('severity', SEVERITIES),
    title: a.optionalString('title') ?? '',
  }));

  const findings: Finding[] = [];
  for (const file of parseUnifiedDiff(diff)) {
    await ctx.step();
    for (const added of file.added) {
      const fired = new Set<string>();
      for (const rule of RULES) {
        if (fired.has(rule.id) || !rule.pattern.test(added.text) || rule.unless?.test(added.text)) continue;
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
  }
  for (const dependency of dependencies) {
    await ctx.step();
    const version = semver.valid(dependency.version) ?? semver.coerce(dependency.version)?.version;
    for (const advisory of advisories) {
      if (advisory.package !== dependency.name || !version) continue;
      if (
        !semver.validRange(advisory.vulnerableRange) ||
        !semver.satisfies(version, advisory.vulnerableRange)
      )
        continue;
      findings.push({
        ruleId: 'SEC-VULNERABLE-DEPENDENCY',
        severity: advisory.severity,
        message: `${dependency.name}@${dependency.version} is affected by ${advisory.id} (${advisory.vulnerableRange})${advisory.title ? `: ${advisory.title}` : ''}.`,
        file: '',
        line: 0,
      });
    }
  }
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return { findings, counts, passed: !findings.some((f) => atOrAbove(f.severity, failOn)) };
});
