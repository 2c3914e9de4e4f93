import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentError, ForbiddenError, isBatonError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../samples.test.fixtures.js';
import { EGRESS_DENIED, EgressGuard, type HostResolver } from './egress-guard.js';
import type { ResolvedAddress } from './pinned-lookup.js';

/** A resolver answering from a table, counting its calls; it never touches real DNS. */
function fakeDns(table: Record<string, readonly ResolvedAddress[] | readonly ResolvedAddress[][]>): {
  resolve: HostResolver;
  calls: string[];
} {
  const calls: string[] = [];
  const resolve: HostResolver = (hostname) => {
    calls.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) {
      return Promise.reject(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }),
      );
    }
    // A list of lists answers differently on each call, like a rebinding DNS server.
    const answers = Array.isArray(entry[0]) ? (entry as ResolvedAddress[][]) : [entry as ResolvedAddress[]];
    const count = calls.filter((c) => c === hostname).length;
    return Promise.resolve(answers[Math.min(count, answers.length) - 1] ?? []);
  };
  return { resolve, calls };
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

async function refusal(guard: EgressGuard, url: string): Promise<ForbiddenError> {
  const error = await rejection(guard.check(url));
  expect(error).toBeInstanceOf(ForbiddenError);
  expect(error).toMatchObject({ code: 'FORBIDDEN', retryable: false, details: { reason: EGRESS_DENIED } });
  return error as ForbiddenError;
}

describe('EgressGuard', () => {
  const dns = fakeDns({
    'api.example.com': [v4('93.184.216.34'), v6('2606:2800:220:1:248:1893:25c8:1946')],
    localhost: [v4('127.0.0.1'), v6('::1')],
    'localhost.': [v4('127.0.0.1')],
    'metadata.example.com': [v4('169.254.169.254')],
    'mixed.example.com': [v4('93.184.216.34'), v4('10.0.0.7')],
    'mapped.example.com': [v6('::ffff:127.0.0.1')],
    'nat64.example.com': [v6('64:ff9b::c0a8:1')],
    'svc.internal': [v4('10.20.30.40')],
    'a.corp.example': [v4('10.9.9.9')],
    'empty.example.com': [],
  });
  const guard = new EgressGuard({ resolve: dns.resolve });

  it('lets a public host through with every address it resolved to', async () => {
    const target = await guard.check('https://api.example.com/v1/score?x=1');
    expect(target).toMatchObject({ hostname: 'api.example.com', port: 443 });
    expect(target.addresses.map((a) => a.address)).toEqual([
      '93.184.216.34',
      '2606:2800:220:1:248:1893:25c8:1946',
    ]);
    expect(target.url.pathname).toBe('/v1/score');
  });

  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://127.000.000.001/', 'loopback'],
    ['http://0/', 'unspecified'],
    ['http://0.0.0.0:8080/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', 'loopback'],
    ['http://[64:ff9b::10.0.0.1]/', 'private'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[fd00::1]/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://2852039166/', 'link-local'],
    ['http://10.0.0.1/', 'private'],
    ['http://172.20.1.1/', 'private'],
    ['http://192.168.0.1/', 'private'],
    ['http://100.64.1.1/', 'carrier-grade-nat'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'reserved'],
  ])('refuses %s (%s) without asking DNS', async (url, range) => {
    const before = dns.calls.length;
    const error = await refusal(guard, url);
    expect(error.details).toMatchObject({ range });
    expect(error.message).toContain('refused');
    expect(dns.calls.length).toBe(before);
  });

  it.each([
    ['http://localhost:3000/', 'loopback', '127.0.0.1'],
    ['http://LOCALHOST./', 'loopback', '127.0.0.1'],
    ['https://metadata.example.com/', 'link-local', '169.254.169.254'],
    ['https://mixed.example.com/', 'private', '10.0.0.7'],
    ['https://mapped.example.com/', 'loopback', '::ffff:127.0.0.1'],
    ['https://nat64.example.com/', 'private', '64:ff9b::c0a8:1'],
  ])('refuses %s, whose name resolves to a %s address', async (url, range, address) => {
    const error = await refusal(guard, url);
    expect(error.details).toMatchObject({ range, address });
    expect(error.message).toContain(`resolves to ${address}`);
  });

  it.each([
    'ftp://api.example.com/',
    'file:///etc/passwd',
    'gopher://api.example.com/',
    'data:text/plain,x',
    'not a url',
  ])('refuses %s: only http and https URLs', async (url) => {
    await refusal(guard, url);
  });

  it('reports a failed or empty resolution as a retryable AgentError', async () => {
    const error = await rejection(guard.check('https://nowhere.example.com/'));
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({
      retryable: true,
      message: 'could not resolve host "nowhere.example.com" (ENOTFOUND)',
    });
    expect(await rejection(guard.check('https://empty.example.com/'))).toMatchObject({ retryable: true });
  });

  it('lets allow-listed hosts, addresses, blocks and ports through, and nothing else', async () => {
    const allowed = new EgressGuard({
      resolve: dns.resolve,
      allow: [
        'svc.internal:8443',
        '*.corp.example',
        '127.0.0.1',
        '[::1]:9000',
        '10.0.0.0/8:80',
        '169.254.169.254:1',
      ],
    });
    await expect(allowed.check('https://svc.internal:8443/')).resolves.toMatchObject({ port: 8443 });
    await refusal(allowed, 'https://svc.internal/');
    await expect(allowed.check('https://a.corp.example/')).resolves.toBeDefined();
    await refusal(new EgressGuard({ resolve: dns.resolve, allow: ['*.corp.example'] }), 'https://localhost/');
    await expect(allowed.check('http://127.0.0.1:1234/')).resolves.toBeDefined();
    await expect(allowed.check('http://[::ffff:127.0.0.1]/')).resolves.toBeDefined();
    await refusal(allowed, 'http://127.0.0.2/');
    await expect(allowed.check('http://[::1]:9000/')).resolves.toBeDefined();
    await refusal(allowed, 'http://[::1]:9001/');
    await expect(allowed.check('http://10.200.0.1/')).resolves.toBeDefined();
    await refusal(allowed, 'https://10.200.0.1/');
    await refusal(allowed, 'http://169.254.169.254/');
    // Both addresses of localhost must pass: 127.0.0.1 is allowed, ::1 only on port 9000.
    await refusal(allowed, 'http://localhost/');
  });

  it('refuses an allow-list entry it cannot read', () => {
    for (const entry of [
      '10.0.0.0/33',
      'host:0',
      'host:99999',
      '[::1',
      '*.10.0.0.1',
      'bad host',
      '::1/129',
    ]) {
      expect(() => new EgressGuard({ allow: [entry] }), entry).toThrow(/egress allow-list entry 0/);
    }
    expect(
      () => new EgressGuard({ allow: ['fd00::/8', '[fd00::/8]:443', 'Example.COM.', '0x7f.1:80'] }),
    ).not.toThrow();
  });
});

describe('EgressGuard against DNS rebinding', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.headers.host ?? '');
      res.end('pinned');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('connects to the address it checked even when a second lookup would answer differently', async () => {
    // First answer: the allow-listed test server. Any later answer: the metadata service.
    const dns = fakeDns({ 'rebind.test': [[v4('127.0.0.1')], [v4('169.254.169.254')]] });
    const guard = new EgressGuard({ resolve: dns.resolve, allow: [`127.0.0.1:${port}`] });
    const target = await guard.check(`http://rebind.test:${port}/`);

    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { hostname: target.hostname, port: target.port, path: '/', lookup: target.lookup, agent: false },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('pinned');
    expect(hits).toEqual([`rebind.test:${port}`]);
    expect(dns.calls).toEqual(['rebind.test']);
    // A second check does see the new answer, and refuses it.
    expect(isBatonError(await rejection(guard.check(`http://rebind.test:${port}/`)), 'FORBIDDEN')).toBe(true);
  });

  it('answers lookups only for the checked host and only with checked addresses', async () => {
    const guard = new EgressGuard({ resolve: fakeDns({ 'api.example.com': [v4('93.184.216.34')] }).resolve });
    const { lookup } = await guard.check('https://api.example.com/');
    const ask = (host: string, options: { all?: boolean; family?: number }): Promise<unknown> =>
      new Promise((resolve, reject) => {
        lookup(host, options, (error, address, family) =>
          error ? reject(error) : resolve({ address, family }),
        );
      });
    expect(await ask('api.example.com', {})).toEqual({ address: '93.184.216.34', family: 4 });
    expect(await ask('API.example.com', { all: true })).toEqual({
      address: [{ address: '93.184.216.34', family: 4 }],
      family: undefined,
    });
    await expect(ask('api.example.com', { family: 6 })).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(ask('evil.example.com', {})).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
