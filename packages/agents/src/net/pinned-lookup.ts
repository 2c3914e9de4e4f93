import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * A `lookup` for `http.request`/`net.connect` that answers only from addresses already checked, and only for
 * the host they were checked for. Passing it is what defeats DNS rebinding: the socket connects to the very
 * address the guard approved, instead of resolving the name a second time (when a hostile DNS server may
 * answer `127.0.0.1`).
 */
export function pinnedLookup(hostname: string, addresses: readonly ResolvedAddress[]): LookupFunction {
  const expected = hostname.toLowerCase();
  return (host: string, options: LookupOptions, callback) => {
    const wanted = familyOf(options.family);
    const usable = addresses.filter((a) => wanted === 0 || a.family === wanted);
    const first = usable[0];
    if (host.toLowerCase() !== expected || first === undefined) {
      const error: NodeJS.ErrnoException = new Error(
        `refused to resolve "${host}": only checked addresses of "${hostname}" may be used`,
      );
      error.code = 'ENOTFOUND';
      // Deferred like a real lookup: callers expect the callback after the call returns.
      process.nextTick(() => callback(error, '', 0));
      return;
    }
    if (options.all === true) {
      const all: LookupAddress[] = usable.map((a) => ({ address: a.address, family: a.family }));
      process.nextTick(() => callback(null, all));
    } else {
      process.nextTick(() => callback(null, first.address, first.family));
    }
  };
}

function familyOf(family: LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}
