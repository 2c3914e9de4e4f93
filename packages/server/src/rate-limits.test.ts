import { afterEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@baton/protocol';
import { openApi, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness | undefined;
afterEach(async () => {
  await api?.dispose();
  api = undefined;
});

describe('the rate limit of the API', () => {
  it('refuses a client past its requests per window with 429 RATE_LIMITED and Retry-After, never /healthz', async () => {
    api = await openApi({ rateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const ok = await api.app.inject({ url: '/api/v1/agents?domain=legal' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const refused = await api.app.inject({ url: '/api/v1/agents?domain=legal' });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const { error } = ErrorBodySchema.parse(refused.json());
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: false });
    expect(error.message).toMatch(/^more than 3 requests in 60 s from this client; try again in/);
    // A refused write changes nothing.
    const write = await api.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      payload: { workflow: { id: 'x' } },
    });
    expect(write.statusCode).toBe(429);
    expect(await api.baton.listRuns()).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await api.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('takes the default of 600 a minute, and none when turned off', async () => {
    api = await openApi();
    const limited = await api.app.inject({ url: '/api/v1/agent-usage' });
    expect(limited.headers['x-ratelimit-limit']).toBe('600');
    await api.dispose();
    api = await openApi({ rateLimit: false });
    const open = await api.app.inject({ url: '/api/v1/agent-usage' });
    expect(open.statusCode).toBe(200);
    expect(open.headers['x-ratelimit-limit']).toBeUndefined();
  });
});
