/** How serious a finding is. */
export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** Every severity, least serious first. */
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** Points a finding of each severity takes off a score (or adds to a risk score). */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  low: 5,
  medium: 15,
  high: 30,
  critical: 50,
};

/** True when `severity` is `threshold` or worse. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/** Orders by severity, most serious first. */
export function bySeverityDescending(a: { severity: Severity }, b: { severity: Severity }): number {
  return SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity);
}
