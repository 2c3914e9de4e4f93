import { describe, expect, it } from 'vitest';
import { decodeJsonText, encodeJsonText, jsonb, parseJsonb } from './jsonb-text.js';

const roundTrip = (value: unknown): unknown => parseJsonb(decodeJsonText(jsonb(value)!));

describe('jsonb text', () => {
  it('leaves JSON without \\u escapes or the marker as it is', () => {
    const text = JSON.stringify({ a: 'plain "quoted" \\ text', b: [1, 2.5, null, true], c: 'Grüße 😀 \n\t' });
    expect(encodeJsonText(text)).toBe(text);
    expect(decodeJsonText(text)).toBe(text);
  });

  it('removes every escape jsonb rejects: NUL and lone surrogates, in values and keys', () => {
    const value = { ['k\u0000\uD800']: ['\u0000', '\uDFFF', 'x\uD800y'] };
    const encoded = jsonb(value)!;
    expect(encoded).not.toMatch(/\\u0000|\\ud[89a-f]/);
    expect(roundTrip(value)).toEqual(value);
  });

  it('round-trips text that merely looks like an escape or holds the marker', () => {
    for (const text of [
      '\\u0000',
      '\\\\u0000',
      '\\\u0000',
      '\\ud800',
      '\uFDD0',
      '\uFDD00',
      '\uFDD0m',
      '\uFDD0ud800',
      '\uFDD0\u0000\uFDD0',
      '😀 \uD83D\uDE00 \uDE00\uD83D',
    ]) {
      expect(roundTrip({ text })).toEqual({ text });
    }
  });

  it('stores an absent value as NULL and JSON null as null', () => {
    expect(jsonb(undefined)).toBeNull();
    expect(jsonb(() => 1)).toBeNull();
    expect(jsonb(null)).toBe('null');
  });
});
