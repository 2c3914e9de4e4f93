import type { Problem } from '../errors/errors.js';
import { didYouMean } from '../expr/did-you-mean.js';

/**
 * Every code a validation problem can carry. Stable: the builder, the CLI and API clients switch on them, and
 * `docs/validation.md` explains each with its fix.
 */
export const PROBLEM_CODES = [
  // The document does not fit the format.
  'MISSING_FIELD',
  'WRONG_TYPE',
  'INVALID_VALUE',
  'UNKNOWN_NODE_TYPE',
  'UNKNOWN_FIELD',
  'SCHEMA_INVALID',
  'INVALID_JSON_SCHEMA',
  // The graph.
  'DUPLICATE_ID',
  'UNKNOWN_NODE',
  'EDGE_CROSSES_SCOPE',
  'UNKNOWN_PORT',
  'SELF_LOOP',
  'DUPLICATE_EDGE',
  'CYCLE',
  'UNREACHABLE',
  'UNUSED_ERROR_EDGE',
  'ERROR_ROUTE_MISSING',
  // The shape of single nodes and policies.
  'AGENT_NODE_SHAPE',
  'CONDITIONAL_SHAPE',
  'LOOP_SHAPE',
  'WAIT_SHAPE',
  'DUPLICATE_PORT',
  'UNKNOWN_DECISION',
  'RETRY_DELAYS',
  // Agents.
  'INVALID_VERSION_RANGE',
  'UNKNOWN_AGENT',
  'UNKNOWN_AGENT_VERSION',
  'DEPRECATED_AGENT',
  'OFFLINE_AGENT',
  'NO_AGENT_FOR_CAPABILITY',
  'MISSING_INPUT',
  'UNEXPECTED_INPUT',
  'TYPE_MISMATCH',
  'UNKNOWN_OUTPUT_FIELD',
  // Expressions.
  'EXPRESSION_SYNTAX',
  'EXPRESSION_FORBIDDEN',
  'EXPRESSION_LIMIT',
  'UNKNOWN_NAME',
  'UNKNOWN_VARIABLE',
  'UNKNOWN_INPUT',
  'NODE_NOT_UPSTREAM',
  // Agent definitions.
  'INPUT_LISTED_TWICE',
  'REQUIRED_INPUT_NOT_IN_SCHEMA',
] as const;

/** A validation problem code. */
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** A problem that makes the document unusable. */
export function error(code: ProblemCode, path: string, message: string): Problem {
  return { code, path, message, severity: 'error' };
}

/** A problem worth a look that does not stop the document from running. */
export function warning(code: ProblemCode, path: string, message: string): Problem {
  return { code, path, message, severity: 'warning' };
}

/**
 * ` (did you mean "extract"?)` when a candidate is close to `word`, else the empty string. A word that is
 * the start of exactly one candidate (`expo` → `exponential`) counts as close too.
 */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  let close = didYouMean(word, list);
  if (close === undefined && word.length >= 3) {
    const extended = list.filter((c) => c !== word && c.toLowerCase().startsWith(word.toLowerCase()));
    if (extended.length === 1) close = extended[0];
  }
  return close === undefined ? '' : ` (did you mean ${JSON.stringify(close)}?)`;
}

/** `"a", "b" and "c"`: a list for messages. */
export function listOf(words: readonly string[], conjunction = 'and'): string {
  const quoted = words.map((w) => JSON.stringify(w));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted.at(-1) ?? ''}`;
}

/** A short rendering of a value for messages: strings quoted, long values cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // A cyclic structure: only built in code, never read from JSON.
    return 'a value that is not JSON';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The JSON type of a value, as JSON Schema names it: `integer` for whole numbers. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/** `a string`, `an array`, `an integer`: a JSON type with its article. */
export function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Drops repeated problems (same code, path and message), keeping the first. */
export function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code}\u0000${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `3 problems`, `1 problem (and 2 warnings)`: the count for an error message. */
export function problemCount(problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const main = `${errors} problem${errors === 1 ? '' : 's'}`;
  return warnings === 0 ? main : `${main} (and ${warnings} warning${warnings === 1 ? '' : 's'})`;
}
