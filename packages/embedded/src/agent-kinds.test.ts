import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Baton } from './create-baton.js';
import { functionAgent, tempBaton } from './testing/temp-baton.js';

/** A JSON endpoint on loopback that echoes what it was sent and the idempotency key it got. */
function echoServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const sent = JSON.parse(body) as { text: string };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ shout: sent.text.toUpperCase(), key: request.headers['idempotency-key'] }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/shout` });
    }),
  );
}

describe('script and http agents in createBaton', () => {
  let baton: Baton;
  let dispose: () => Promise<void>;
  let echo: { server: Server; url: string };
  let denied: { baton: Baton; dispose: () => Promise<void> };

  beforeAll(async () => {
    echo = await echoServer();
    const port = new URL(echo.url).port;
    ({ baton, dispose } = await tempBaton({ egressAllow: [`127.0.0.1:${port}`] }));
    denied = await tempBaton({ egressAllow: [] });
    for (const b of [baton, denied.baton]) {
      b.registerAgent(
        functionAgent('t.sum', {
          kind: 'script',
          settings: {
            source:
              'export default function run(input) { return { total: input.items.reduce((a, b) => a + b, 0) }; }',
          },
        }),
      );
      b.registerAgent(functionAgent('t.shout', { kind: 'http', settings: { endpoint: echo.url } }));
    }
  });
  afterAll(async () => {
    await dispose();
    await denied.dispose();
    echo.server.close();
  });

  const workflow = {
    id: 'kinds',
    name: 'Kinds',
    version: '1.0.0',
    nodes: [
      { id: 'sum', type: 'agent', agent: { id: 't.sum' }, inputs: { items: '{{ input.items }}' } },
      { id: 'shout', type: 'agent', agent: { id: 't.shout' }, inputs: { text: '{{ input.text }}' } },
    ],
    outputs: { total: { value: 'nodes.sum.output.total' }, shout: { value: 'nodes.shout.output.shout' } },
  };

  it('runs user JavaScript in the sandbox and calls an allow-listed HTTP agent with an idempotency key', async () => {
    const run = await baton.run(workflow, { items: [1, 2, 3.5], text: 'hello' });
    expect(run.status, run.error?.message).toBe('completed');
    expect(run.output).toEqual({ total: 6.5, shout: 'HELLO' });
    const shout = (await baton.getRun(run.id))?.tasks.find((t) => t.nodeId === 'shout');
    expect((shout?.output as { key?: string }).key).toBe(`${run.id}:shout:1`);
  });

  it('refuses an HTTP agent pointed at loopback unless the operator allow-listed it', async () => {
    const run = await denied.baton.run(workflow, { items: [1], text: 'hello' });
    expect(run.status).toBe('failed');
    const shout = (await denied.baton.getRun(run.id))?.tasks.find((t) => t.nodeId === 'shout');
    expect(shout?.error?.code).toBe('FORBIDDEN');
  });
});
