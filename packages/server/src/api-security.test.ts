import { afterEach, describe, expect, it } from 'vitest';
import { BatonError } from '@baton/core';
import { ErrorBodySchema } from '@baton/protocol';
import { bindingProblem, isLoopbackHost } from './api-binding.js';
import { createServer, type FailedRequest } from './create-server.js';
import { openApi, scriptAgent, type ApiHarness } from './testing/api-harness.js';

const TOKEN = 'a-long-enough-test-token-0123456789';

let api: ApiHarness | undefined;
afterEach(async () => {
  await api?.dispose();
  api = undefined;
});

describe('the API token', () => {
  it('refuses every API request without the right bearer token, before reading it', async () => {
    api = await openApi({ apiToken: TOKEN });
    const cases = [
      { headers: {} },
      { headers: { authorization: 'Bearer wrong-token-of-some-length' } },
      { headers: { authorization: `Bearer ${TOKEN}x` } },
      { headers: { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` } },
    ];
    for (const { headers } of cases) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/api/v1/agents',
        headers,
        payload: { ...scriptAgent('acme.sneaky') },
      });
      expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(ErrorBodySchema.parse(response.json()).error.code).toBe('UNAUTHENTICATED');
    }
    expect(api.baton.catalog.has('acme.sneaky')).toBe(false);
    // Unknown routes too, so that a caller without the token learns nothing of what exists.
    expect((await api.app.inject({ url: '/api/v1/nothing-here' })).statusCode).toBe(401);
  });

  it('serves API requests that carry the token, and /healthz without one', async () => {
    api = await openApi({ apiToken: TOKEN });
    const registered = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: { authorization: `bearer ${TOKEN}` },
      payload: { ...scriptAgent('acme.allowed') },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const health = await api.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
  });

  it('is not needed when none is configured', async () => {
    api = await openApi();
    expect((await api.app.inject({ url: '/api/v1/agent-usage' })).statusCode).toBe(200);
  });

  it('must be long enough to guard anything', async () => {
    api = await openApi();
    expect(() => createServer({ baton: api!.baton, apiToken: 'short' })).toThrow(BatonError);
  });
});

describe('where the API may listen', () => {
  it('tells loopback hosts from those other machines reach', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      '192.168.1.2',
      'example.org',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses a non-loopback host without a token, and a short token anywhere', () => {
    expect(bindingProblem('127.0.0.1', undefined)).toBeUndefined();
    expect(bindingProblem('0.0.0.0', undefined)).toMatch(/BATON_API_TOKEN/);
    expect(bindingProblem('0.0.0.0', TOKEN)).toBeUndefined();
    expect(bindingProblem('127.0.0.1', 'short')).toMatch(/at least 16 characters/);
  });
});

describe('errors the API did not expect', () => {
  it('answers 500 INTERNAL naming the request, without the message or stack, and reports the error', async () => {
    api = await openApi();
    const failing = {
      ...api.baton,
      agentUsage: () => Promise.reject(new Error('disk /secret/place is on fire')),
    };
    const reported: [unknown, FailedRequest][] = [];
    const app = createServer({
      baton: failing,
      onServerError: (error, request) => reported.push([error, request]),
    });
    try {
      const response = await app.inject({ url: '/api/v1/agent-usage' });
      expect(response.statusCode).toBe(500);
      const error = ErrorBodySchema.parse(response.json()).error;
      expect(error.code).toBe('INTERNAL');
      expect(response.body).not.toMatch(/secret|fire|at .*\.ts/);
      expect(reported).toHaveLength(1);
      expect(error.message).toContain(reported[0]![1].id);
      expect(reported[0]![1]).toMatchObject({ method: 'GET', url: '/api/v1/agent-usage' });
    } finally {
      await app.close();
    }
  });
});
