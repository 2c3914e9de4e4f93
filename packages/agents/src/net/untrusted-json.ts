/** Thrown by `parseUntrustedJson` for text that is not JSON or holds a key we refuse. */
export class UntrustedJsonError extends Error {
  override readonly name = 'UntrustedJsonError';
}

/**
 * Parses JSON that came from outside the process (a remote service, a sandboxed script). `JSON.parse` itself
 * never pollutes prototypes — a `"__proto__"` key becomes an own property — but code further on that copies
 * the value with `Object.assign` or a hand-written merge would set a prototype from it, so such a key is
 * refused here, in any spelling (`"\u005f_proto__"` parses to the same key).
 */
export function parseUntrustedJson(text: string): unknown {
  try {
    return JSON.parse(text, refuseProtoKey);
  } catch (error) {
    if (error instanceof UntrustedJsonError) throw error;
    throw new UntrustedJsonError(error instanceof Error ? error.message : String(error));
  }
}

function refuseProtoKey(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new UntrustedJsonError('the JSON holds a "__proto__" key, which is refused');
  return value;
}
