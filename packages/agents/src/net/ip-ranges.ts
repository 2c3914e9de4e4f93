import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The kinds of address outbound agent calls refuse unless an operator allow-lists them. */
export type BlockedRange =
  'unspecified' | 'loopback' | 'private' | 'link-local' | 'carrier-grade-nat' | 'multicast' | 'reserved';

type Subnet = readonly [network: string, prefix: number];

/**
 * The refused ranges, first match wins. `0.0.0.0/8` counts as unspecified because Linux delivers a connect to
 * `0.0.0.0` to the local host; `169.254.0.0/16` holds the cloud metadata service (`169.254.169.254`).
 * Documentation, benchmarking, future-use and tunnel ranges are refused as `reserved`: nothing legitimate
 * lives there, and a Teredo address hides the IPv4 host it reaches, so it cannot be checked.
 */
const RANGES: readonly { range: BlockedRange; subnets: readonly Subnet[] }[] = [
  {
    range: 'unspecified',
    subnets: [
      ['0.0.0.0', 8],
      ['::', 128],
    ],
  },
  {
    range: 'loopback',
    subnets: [
      ['127.0.0.0', 8],
      ['::1', 128],
    ],
  },
  {
    range: 'private',
    subnets: [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['fc00::', 7],
      ['fec0::', 10],
    ],
  },
  {
    range: 'link-local',
    subnets: [
      ['169.254.0.0', 16],
      ['fe80::', 10],
    ],
  },
  { range: 'carrier-grade-nat', subnets: [['100.64.0.0', 10]] },
  {
    range: 'multicast',
    subnets: [
      ['224.0.0.0', 4],
      ['ff00::', 8],
    ],
  },
  {
    range: 'reserved',
    subnets: [
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['192.88.99.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
      ['240.0.0.0', 4],
      ['100::', 64],
      ['2001::', 32],
      ['2001:db8::', 32],
      ['64:ff9b:1::', 48],
    ],
  },
];

const LISTS: readonly { range: BlockedRange; list: BlockList }[] = RANGES.map(({ range, subnets }) => {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, isIPv4(network) ? 'ipv4' : 'ipv6');
  return { range, list };
});

/**
 * The range an address falls in, or `undefined` for an ordinary public address. IPv6 forms that carry an
 * IPv4 address (mapped `::ffff:a.b.c.d`, translated, IPv4-compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`)
 * are judged by the IPv4 address inside, since that is the host the packets reach. Anything that is not an
 * IP address at all counts as `reserved`: refusing is the only safe answer.
 */
export function blockedRange(address: string): BlockedRange | undefined {
  const bare = stripZone(address);
  if (isIPv4(bare)) return rangeOf(bare, 'ipv4');
  if (!isIPv6(bare)) return 'reserved';
  const embedded = embeddedIpv4(bare);
  if (embedded !== undefined) {
    // The deprecated IPv4-compatible form is refused even around a public address: no current stack routes it.
    return rangeOf(embedded.ipv4, 'ipv4') ?? (embedded.form === 'compatible' ? 'reserved' : undefined);
  }
  return rangeOf(bare, 'ipv6');
}

/**
 * The IPv4 address an address stands for: itself for IPv4, the embedded one for the IPv6 forms listed at
 * `blockedRange`, `undefined` otherwise. Allow-list entries are matched against it too, so allowing
 * `10.1.2.3` also allows `::ffff:10.1.2.3`.
 */
export function effectiveIpv4(address: string): string | undefined {
  const bare = stripZone(address);
  if (isIPv4(bare)) return bare;
  return isIPv6(bare) ? embeddedIpv4(bare)?.ipv4 : undefined;
}

function rangeOf(address: string, family: 'ipv4' | 'ipv6'): BlockedRange | undefined {
  return LISTS.find(({ list }) => list.check(address, family))?.range;
}

/** `fe80::1%eth0` → `fe80::1`: a zone names an interface, not part of the address. */
export function stripZone(address: string): string {
  const percent = address.indexOf('%');
  return percent === -1 ? address : address.slice(0, percent);
}

type EmbeddingForm = 'mapped' | 'translated' | 'compatible' | 'nat64' | '6to4';

function embeddedIpv4(ipv6: string): { ipv4: string; form: EmbeddingForm } | undefined {
  const g = ipv6Groups(ipv6);
  if (!g) return undefined;
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  const low = (hi: number, lo: number): string =>
    [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].map((octet) => String(octet)).join('.');
  const at = (i: number): number => g[i] ?? 0;
  if (zeros(0, 5) && at(5) === 0xffff) return { ipv4: low(at(6), at(7)), form: 'mapped' };
  if (zeros(0, 4) && at(4) === 0xffff && at(5) === 0) return { ipv4: low(at(6), at(7)), form: 'translated' };
  // `::` and `::1` are not IPv4-compatible addresses; they have ranges of their own.
  if (zeros(0, 6) && !(at(6) === 0 && at(7) <= 1)) return { ipv4: low(at(6), at(7)), form: 'compatible' };
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6)) return { ipv4: low(at(6), at(7)), form: 'nat64' };
  if (at(0) === 0x2002) return { ipv4: low(at(1), at(2)), form: '6to4' };
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted quad folded in). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const octets = last.split('.').map(Number);
    tail.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const halves = text.split('::');
  let groups: number[];
  if (halves.length === 2) {
    const left = parse(halves[0] ?? '');
    const right = [...parse(halves[1] ?? ''), ...tail];
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    groups = [...parse(text), ...tail];
  }
  return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff)
    ? groups
    : undefined;
}
