import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentError, DefinitionError, ForbiddenError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServerAccess } from '../net/remote-runtimes.test.fixtures.js';
import { startA2aServer, type TestA2aServer } from './a2a-servers.test.fixtures.js';
import { importA2aAgent } from './import-a2a-agent.js';

/** A server answering `routes[path]` as JSON (a string as it is), 404 elsewhere; records what was asked. */
async function cardServer(
  routes: Record<string, unknown>,
): Promise<{ base: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    asked.push(`${req.url ?? ''} ${req.headers.authorization ?? '-'}`);
    const body = routes[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let a2a: TestA2aServer;
beforeAll(async () => {
  a2a = await startA2aServer();
});
afterAll(() => a2a.close());

describe('importA2aAgent', () => {
  it('reads the card under .well-known of a base URL and maps it', async () => {
    const agent = await importA2aAgent(a2a.base, testServerAccess(a2a.base));
    expect(agent).toMatchObject({
      id: 'researcher',
      version: '1.0.0',
      kind: 'a2a',
      description: 'Finds things out',
      capabilities: { skills: ['research'], inputTypes: ['text/plain', 'application/json'] },
      settings: { url: `${a2a.base}/.well-known/agent-card.json` },
    });
  });

  it('falls back to the older agent.json, sending the auth secret when it is set', async () => {
    const server = await cardServer({ '/.well-known/agent.json': { name: 'Old Agent', version: '0.3.1' } });
    try {
      const agent = await importA2aAgent(`${server.base}/`, {
        ...testServerAccess(server.base, { BATON_SECRET_OLD_TOKEN: 't0k' }),
        authSecret: 'OLD_TOKEN',
        id: 'acme.old',
      });
      expect(agent).toMatchObject({ id: 'acme.old', version: '0.3.1' });
      expect(agent.settings).toEqual({
        url: `${server.base}/.well-known/agent.json`,
        authSecret: 'OLD_TOKEN',
      });
      expect(server.asked).toEqual([
        '/.well-known/agent-card.json Bearer t0k',
        '/.well-known/agent.json Bearer t0k',
      ]);
    } finally {
      await server.close();
    }
  });

  it('reads a card URL as it is given and says clearly what is wrong with a malformed one', async () => {
    const server = await cardServer({
      '/cards/bad.json': { description: 'no name' },
      '/cards/junk.json': 'not json',
    });
    try {
      const access = testServerAccess(server.base);
      await expect(importA2aAgent(`${server.base}/cards/bad.json`, access)).rejects.toThrow(DefinitionError);
      await expect(importA2aAgent(`${server.base}/cards/bad.json`, access)).rejects.toThrow(/card\.name/);
      await expect(importA2aAgent(`${server.base}/cards/junk.json`, access)).rejects.toThrow(/is not JSON/);
      const missing = importA2aAgent(`${server.base}/cards/none.json`, access);
      await expect(missing).rejects.toThrow(AgentError);
      await expect(importA2aAgent(`${server.base}/cards/none.json`, access)).rejects.toThrow(/answered 404/);
    } finally {
      await server.close();
    }
  });

  it('refuses a loopback address that is not allow-listed', async () => {
    await expect(importA2aAgent(a2a.base)).rejects.toThrow(ForbiddenError);
  });
});
