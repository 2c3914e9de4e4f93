import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AgentError, ForbiddenError } from '@baton/core';
import { EgressAllowList } from './egress-allow-list.js';
import { blockedRange, type BlockedRange } from './ip-ranges.js';
import { pinnedLookup, type ResolvedAddress } from './pinned-lookup.js';
import type { LookupFunction } from 'node:net';

/** Resolves a host name to every address it has. Injected in tests so they never touch real DNS. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (`getaddrinfo`, so `/etc/hosts` counts), asking for every address. */
export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** Options of `EgressGuard`. */
export interface EgressGuardOptions {
  /** Destinations allowed although refused by default; see `EgressAllowList` for the entry syntax. */
  allow?: readonly string[];
  /** Defaults to `systemResolver`. */
  resolve?: HostResolver;
}

/** A URL the guard let through, with what the connection must use. */
export interface EgressTarget {
  readonly url: URL;
  /** The host without IPv6 brackets: what `http.request` wants as `hostname`. */
  readonly hostname: string;
  readonly port: number;
  /** Every address the host resolved to; all of them passed the check. */
  readonly addresses: readonly ResolvedAddress[];
  /** Pass as the request's `lookup` so the socket connects only to `addresses` (no second resolution). */
  readonly lookup: LookupFunction;
}

/** What `details.reason` of a refusal says, so callers can tell it from other `FORBIDDEN` errors. */
export const EGRESS_DENIED = 'EGRESS_DENIED';

/**
 * The SSRF guard of outbound agent calls (DESIGN §6): only `http:` and `https:`, and no loopback, private,
 * link-local (cloud metadata), unspecified, carrier-grade NAT, multicast or reserved address, in any spelling
 * (`2130706433`, `0x7f.1` and `[::ffff:7f00:1]` are all `127.0.0.1`), unless allow-listed.
 *
 * The host is resolved once and every address must pass, since the connection could use any of them; the
 * returned target's `lookup` pins the connection to those addresses. Check each URL you connect to,
 * redirects included.
 *
 * Errors: a refusal is a non-retryable `ForbiddenError` with `details.reason` `EGRESS_DENIED` (and `host`,
 * `address`, `range` where they apply); a failed resolution is a retryable `AgentError`.
 */
export class EgressGuard {
  readonly #allow: EgressAllowList;
  readonly #resolve: HostResolver;

  constructor(options: EgressGuardOptions = {}) {
    this.#allow = EgressAllowList.parse(options.allow ?? []);
    this.#resolve = options.resolve ?? systemResolver;
  }

  async check(input: string | URL): Promise<EgressTarget> {
    const url = parseUrl(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw denied(`only http and https URLs may be called, not ${url.protocol}`, { scheme: url.protocol });
    }
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    const family = isIP(hostname);
    const addresses =
      family === 0 ? await this.#resolveHost(hostname) : [{ address: hostname, family: family as 4 | 6 }];

    if (!this.#allow.allowsHost(hostname, port)) {
      for (const { address } of addresses) {
        if (this.#allow.allowsAddress(address, port)) continue;
        const range = blockedRange(address);
        if (range !== undefined) throw refusal(url, hostname, address, range);
      }
    }
    return { url, hostname, port, addresses, lookup: pinnedLookup(hostname, addresses) };
  }

  async #resolveHost(hostname: string): Promise<ResolvedAddress[]> {
    let answers: readonly ResolvedAddress[];
    try {
      answers = await this.#resolve(hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      throw new AgentError(`could not resolve host "${hostname}"${code ? ` (${code})` : ''}`, {
        retryable: true,
        cause: error,
        details: { host: hostname },
      });
    }
    // The family is taken from the address itself, never from what the resolver claims.
    const addresses = answers.map(
      (a) => ({ address: a.address, family: isIP(a.address) === 6 ? 6 : 4 }) as const,
    );
    if (addresses.length === 0) {
      throw new AgentError(`host "${hostname}" resolved to no address`, {
        retryable: true,
        details: { host: hostname },
      });
    }
    return addresses;
  }
}

function parseUrl(input: string | URL): URL {
  try {
    return new URL(input);
  } catch (error) {
    throw denied(`"${String(input)}" is not a valid URL`, {}, error);
  }
}

const RANGE_NAMES: Record<BlockedRange, string> = {
  unspecified: 'an unspecified',
  loopback: 'a loopback',
  private: 'a private',
  'link-local': 'a link-local (cloud metadata)',
  'carrier-grade-nat': 'a carrier-grade NAT',
  multicast: 'a multicast',
  reserved: 'a reserved',
};

function refusal(url: URL, hostname: string, address: string, range: BlockedRange): ForbiddenError {
  const via = hostname === address ? ' is' : ` resolves to ${address}, which is`;
  return denied(
    `outbound call to ${url.origin} refused: ${hostname}${via} ${RANGE_NAMES[range]} address; ` +
      'an operator can allow-list it if the call is intended',
    { host: hostname, address, range },
  );
}

function denied(message: string, details: Record<string, unknown>, cause?: unknown): ForbiddenError {
  return new ForbiddenError(message, {
    retryable: false,
    details: { reason: EGRESS_DENIED, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}
