import { describe, expect, it } from 'vitest';
import { UntrustedJsonError, parseUntrustedJson } from './untrusted-json.js';

describe('parseUntrustedJson', () => {
  it('parses plain JSON into plain data', () => {
    const value = parseUntrustedJson('{"a":[1,"x",null,{"constructor":{"prototype":1}}]}');
    expect(value).toEqual({ a: [1, 'x', null, { constructor: { prototype: 1 } }] });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each([
    '{"__proto__":{"polluted":true}}',
    '{"a":{"b":[{"__proto__":{"polluted":true}}]}}',
    '{"\\u005f_proto__":{"polluted":true}}',
    '{"__pro\\u0074o__":1}',
  ])('refuses a __proto__ key in %s, and nothing is polluted', (text) => {
    expect(() => parseUntrustedJson(text)).toThrow(UntrustedJsonError);
    expect(() => parseUntrustedJson(text)).toThrow('"__proto__" key');
    const copy = Object.assign({}, JSON.parse(text) as object);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(copy).toBeDefined();
  });

  it('reports text that is not JSON', () => {
    expect(() => parseUntrustedJson('{"a": ')).toThrow(UntrustedJsonError);
    expect(() => parseUntrustedJson('<html>')).toThrow(UntrustedJsonError);
  });
});
