import { BlockList, isIP, isIPv4 } from 'node:net';
import { BatonError } from '@baton/core';
import { effectiveIpv4, stripZone } from './ip-ranges.js';

type Entry =
  | { kind: 'host'; name: string; subdomains: boolean; port: number | undefined }
  | { kind: 'network'; list: BlockList; port: number | undefined };

/**
 * The destinations an operator lets agents reach although they are loopback, private or otherwise refused.
 * Entries are strings:
 *
 * - a host name, `billing.internal`, or every subdomain of one, `*.corp.example`;
 * - an address, `10.1.2.3` or `fd00::5`, or a CIDR block, `10.0.0.0/8` or `fd00::/8`;
 * - any of those with a port, `billing.internal:8443`, `10.0.0.0/8:80`, `[fd00::5]:443`, `[fd00::/8]:443`
 *   (an IPv6 address or block takes a port only inside brackets).
 *
 * A host-name entry trusts whatever the name resolves to: allow names you control. Address entries also
 * match the IPv6 forms that embed the address (`::ffff:10.1.2.3`).
 */
export class EgressAllowList {
  readonly #entries: readonly Entry[];

  private constructor(entries: readonly Entry[]) {
    this.#entries = entries;
  }

  /** Parses the entries; throws a `USAGE` error naming the first one that cannot be read. */
  static parse(entries: readonly string[]): EgressAllowList {
    return new EgressAllowList(entries.map((entry, index) => parseEntry(entry, index)));
  }

  /** Whether the URL host itself (lower-case, as `URL` gives it, without IPv6 brackets) is allowed. */
  allowsHost(hostname: string, port: number): boolean {
    const name = withoutTrailingDot(hostname.toLowerCase());
    return this.#entries.some(
      (e) =>
        e.kind === 'host' &&
        portMatches(e.port, port) &&
        (e.subdomains ? name.endsWith(`.${e.name}`) : name === e.name),
    );
  }

  /** Whether a resolved address is allowed on this port. */
  allowsAddress(address: string, port: number): boolean {
    const candidates = [stripZone(address), effectiveIpv4(address)].filter((a) => a !== undefined);
    return this.#entries.some(
      (e) =>
        e.kind === 'network' &&
        portMatches(e.port, port) &&
        candidates.some((a) => e.list.check(a, isIPv4(a) ? 'ipv4' : 'ipv6')),
    );
  }
}

function portMatches(entryPort: number | undefined, port: number): boolean {
  return entryPort === undefined || entryPort === port;
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function parseEntry(raw: string, index: number): Entry {
  const fail = (why: string): never => {
    throw new BatonError('USAGE', `egress allow-list entry ${index} ("${raw}"): ${why}`);
  };
  const text = raw.trim();
  let hostPart = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) fail('a "[" without its "]"');
    hostPart = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) fail('expected ":port" after "]"');
      portText = rest.slice(1);
    }
  } else if (text.split(':').length === 2) {
    // Exactly one colon: host:port. More than one means a bare IPv6 address or block, which has no port.
    [hostPart, portText] = text.split(':') as [string, string];
  }
  const port = portText === undefined ? undefined : parsePort(portText, fail);

  const slash = hostPart.indexOf('/');
  if (slash !== -1) {
    const network = hostPart.slice(0, slash);
    const prefixText = hostPart.slice(slash + 1);
    const family = isIP(network);
    const prefix = Number(prefixText);
    const max = family === 4 ? 32 : 128;
    if (family === 0) fail(`"${network}" is not an IP address`);
    if (!/^\d+$/.test(prefixText) || prefix > max) fail(`the prefix length must be 0 to ${max}`);
    const list = new BlockList();
    list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
    return { kind: 'network', list, port };
  }
  if (isIP(hostPart) !== 0) return { kind: 'network', list: single(hostPart), port };

  const subdomains = hostPart.startsWith('*.');
  const name = subdomains ? hostPart.slice(2) : hostPart;
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.?$/.test(name)) fail('expected a host name, address or CIDR block');
  // Normalise the way URL does, so an entry matches the host as the guard sees it (`Example.COM`, `0x7f.1`).
  const normalised = withoutTrailingDot(new URL(`http://${name}`).hostname);
  if (isIP(normalised) !== 0) {
    if (subdomains) fail('"*." needs a host name, not an address');
    return { kind: 'network', list: single(normalised), port };
  }
  return { kind: 'host', name: normalised, subdomains, port };
}

function single(address: string): BlockList {
  const list = new BlockList();
  list.addAddress(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  return list;
}

function parsePort(text: string, fail: (why: string) => never): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) fail('the port must be 1 to 65535');
  return port;
}
