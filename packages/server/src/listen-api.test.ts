import { afterEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '@baton/core';
import { listenApi, type ApiListener } from './listen-api.js';
import { openApi, scriptAgent, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness | undefined;
let listener: ApiListener | undefined;
afterEach(async () => {
  await listener?.close();
  await api?.dispose();
  listener = api = undefined;
});

describe('the API over a real socket', () => {
  it('listens on a free loopback port, registers an agent and lists it', async () => {
    api = await openApi();
    listener = await listenApi({ baton: api.baton, host: '127.0.0.1', port: 0 });
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${listener.url}/healthz`)).json()).toEqual({ status: 'ok' });

    const created = await fetch(`${listener.url}/api/v1/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scriptAgent('acme.wire')),
    });
    expect(created.status).toBe(201);
    const listed = await fetch(`${listener.url}/api/v1/agents?q=acme.wire`);
    const { agents } = (await listed.json()) as { agents: { definition: AgentDefinition }[] };
    expect(agents.map((a) => a.definition.id)).toEqual(['acme.wire']);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    api = await openApi();
    await expect(listenApi({ baton: api.baton, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /BATON_API_TOKEN/,
    );
  });

  it('stops taking requests once closed', async () => {
    api = await openApi();
    const closing = await listenApi({ baton: api.baton, host: '127.0.0.1', port: 0 });
    await closing.close();
    await expect(fetch(`${closing.url}/healthz`)).rejects.toThrow();
  });
});
