/**
 * JSON text that PostgreSQL's `jsonb` accepts for any JSON value JavaScript can hold.
 *
 * `jsonb` rejects two things `JSON.stringify` writes: the escape `\u0000` (text columns cannot hold NUL) and
 * escapes of lone UTF-16 surrogates (`\ud800`, not Unicode scalar values). Payloads are user data and may hold
 * both, and the store must give back exactly what it was given, so they are rewritten to a marker — the
 * noncharacter U+FDD0, which Unicode sets aside for a program's internal use — followed by a letter:
 *
 * | JSON text                 | stored as       |
 * |---------------------------|-----------------|
 * | `\u0000`                  | U+FDD0 `0`      |
 * | `\udXXX` (lone surrogate) | U+FDD0 `u dXXX` |
 * | U+FDD0 itself             | U+FDD0 `m`      |
 *
 * The rewrite works on the JSON text, where the marker can only stand inside a string, and is undone on the
 * text PostgreSQL sends back (`jsonb` output writes U+FDD0 as it is). Payloads without `\u` escapes or the
 * marker — nearly all — pass through after one scan.
 */
const MARK = '\uFDD0';

/** `\\` is matched first so that an escaped backslash followed by `u0000` is not read as an escape. */
const ENCODE = /\\\\|\\u0000|\\ud[89a-f][0-9a-f]{2}|\uFDD0/g;
const DECODE = /\uFDD0(?:0|m|u(d[89a-f][0-9a-f]{2}))/g;

function encodeMatch(match: string): string {
  if (match === '\\\\') return match;
  if (match === MARK) return `${MARK}m`;
  if (match === '\\u0000') return `${MARK}0`;
  return `${MARK}u${match.slice(2)}`;
}

function decodeMatch(match: string, surrogate: string | undefined): string {
  if (surrogate !== undefined) return `\\u${surrogate}`;
  return match === `${MARK}0` ? '\\u0000' : MARK;
}

/** Rewrites JSON text (as `JSON.stringify` writes it) into text `jsonb` accepts. */
export function encodeJsonText(json: string): string {
  return json.includes('\\u') || json.includes(MARK) ? json.replace(ENCODE, encodeMatch) : json;
}

/** Undoes {@link encodeJsonText} on JSON text read back from a `jsonb` column. */
export function decodeJsonText(text: string): string {
  return text.includes(MARK) ? text.replace(DECODE, decodeMatch) : text;
}

/** The `jsonb` parameter text of a value, or NULL when it is absent (or has no JSON form). */
export function jsonb(value: unknown): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? null : encodeJsonText(json);
}

/** The value a `jsonb` column held; the text has been decoded by the connection's type parser. */
export function parseJsonb<T = unknown>(text: string): T {
  return JSON.parse(text) as T;
}
