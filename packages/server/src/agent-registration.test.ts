import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentDefinition } from '@baton/core';
import { builtinAgentDefinitions } from '@baton/embedded';
import { ErrorBodySchema, type ErrorBody } from '@baton/protocol';
import { openApi, scriptAgent, type ApiHarness } from './testing/api-harness.js';

let api: ApiHarness;
beforeEach(async () => {
  api = await openApi();
});
afterEach(() => api.dispose());

const post = (payload: unknown) =>
  api.app.inject({ method: 'POST', url: '/api/v1/agents', payload: payload as object });

/** The error body of a response, checked against the wire schema every error answer must follow. */
function errorOf(response: { json: () => unknown }): ErrorBody['error'] {
  return ErrorBodySchema.parse(response.json()).error;
}

describe('registering agents over the API', () => {
  it('registers one definition and then finds it by id and by search', async () => {
    const created = await post(scriptAgent('acme.echo'));
    expect(created.statusCode).toBe(201);
    const { agents } = created.json<{ agents: AgentDefinition[] }>();
    expect(agents.map((a) => `${a.id}@${a.version}`)).toEqual(['acme.echo@1.0.0']);
    expect(agents[0]?.status).toBe('active');

    const shown = await api.app.inject({ url: '/api/v1/agents/acme.echo' });
    expect(shown.statusCode).toBe(200);
    expect(shown.json<{ versions: AgentDefinition[] }>().versions.map((v) => v.version)).toEqual(['1.0.0']);
    const found = await api.app.inject({ url: '/api/v1/agents?q=acme.echo' });
    expect(
      found.json<{ agents: { definition: AgentDefinition }[] }>().agents.map((a) => a.definition.id),
    ).toEqual(['acme.echo']);
    expect(api.baton.catalog.resolve({ id: 'acme.echo', version: '1.0.0' })).toBeDefined();
  });

  it('registers a batch in one request', async () => {
    const created = await post({ agents: [scriptAgent('acme.one'), scriptAgent('acme.two')] });
    expect(created.statusCode).toBe(201);
    expect(created.json<{ agents: AgentDefinition[] }>().agents.map((a) => a.id)).toEqual([
      'acme.one',
      'acme.two',
    ]);
    for (const id of ['acme.one', 'acme.two']) {
      expect((await api.app.inject({ url: `/api/v1/agents/${id}/versions/1.0.0` })).statusCode).toBe(200);
    }
  });

  it('saves none of a batch when one definition is invalid, and says what is wrong where', async () => {
    const broken = scriptAgent('acme.broken', { version: 'one' });
    const response = await post({ agents: [scriptAgent('acme.fine'), broken] });
    expect(response.statusCode).toBe(422);
    const error = errorOf(response);
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.problems?.map((p) => p.path)).toContain('[1].version');
    expect(api.baton.catalog.has('acme.fine')).toBe(false);
    expect((await api.app.inject({ url: '/api/v1/agents/acme.fine' })).statusCode).toBe(404);
  });

  it('answers an invalid single definition with its problems', async () => {
    const { capabilities: _dropped, ...withoutCapabilities } = scriptAgent('acme.bare');
    const response = await post(withoutCapabilities);
    expect(response.statusCode).toBe(422);
    const error = errorOf(response);
    expect(error.code).toBe('DEFINITION_INVALID');
    expect(error.problems).toContainEqual(
      expect.objectContaining({ path: 'capabilities', code: 'MISSING_FIELD', severity: 'error' }),
    );
    expect(error.details?.['problems']).toBeUndefined();
  });

  it('refuses a version that is registered already, built in, or given twice — and saves nothing', async () => {
    expect((await post(scriptAgent('acme.echo'))).statusCode).toBe(201);
    const again = await post(scriptAgent('acme.echo', { name: 'Changed' }));
    expect(again.statusCode).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT', details: { agents: ['acme.echo@1.0.0'] } });
    expect(api.baton.catalog.resolve({ id: 'acme.echo', version: '1.0.0' })?.name).toBe('acme.echo');

    const builtin = builtinAgentDefinitions()[0]!;
    expect((await post(builtin)).statusCode).toBe(409);

    const twice = await post({ agents: [scriptAgent('acme.twice'), scriptAgent('acme.twice')] });
    expect(twice.statusCode).toBe(409);
    expect(errorOf(twice).code).toBe('CONFLICT');
    expect(api.baton.catalog.has('acme.twice')).toBe(false);
  });

  it('replaces a saved definition with PUT, which must name the same version as its path', async () => {
    await post(scriptAgent('acme.echo'));
    const replaced = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/agents/acme.echo/versions/1.0.0',
      payload: { ...scriptAgent('acme.echo', { name: 'Echo, renamed' }) },
    });
    expect(replaced.statusCode).toBe(200);
    expect(api.baton.catalog.resolve({ id: 'acme.echo', version: '1.0.0' })?.name).toBe('Echo, renamed');

    const mismatch = await api.app.inject({
      method: 'PUT',
      url: '/api/v1/agents/acme.echo/versions/2.0.0',
      payload: { ...scriptAgent('acme.echo') },
    });
    expect(mismatch.statusCode).toBe(400);
    expect(errorOf(mismatch).problems?.map((p) => p.path)).toEqual(['body.version']);
    expect(api.baton.catalog.resolve({ id: 'acme.echo', version: '2.0.0' })).toBeUndefined();
  });

  it('refuses a body that is not a definition nor a batch as an invalid request', async () => {
    const list = await post([scriptAgent('acme.echo')]);
    expect(list.statusCode).toBe(400);
    expect(errorOf(list).code).toBe('INVALID_REQUEST');
    const empty = await post({ agents: [] });
    expect(errorOf(empty)).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(errorOf(empty).problems?.map((p) => p.path)).toEqual(['body.agents']);
    const extra = await post({ agents: [scriptAgent('acme.echo')], force: true });
    expect(errorOf(extra).problems).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_FIELD', path: 'body.force' }),
    ]);
    expect(api.baton.catalog.has('acme.echo')).toBe(false);
  });

  it('refuses a body that is not JSON, and one over the size limit', async () => {
    const garbled = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: { 'content-type': 'application/json' },
      payload: '{"id": ',
    });
    expect(garbled.statusCode).toBe(400);
    expect(errorOf(garbled).code).toBe('INVALID_REQUEST');

    const xml = await api.app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: { 'content-type': 'application/xml' },
      payload: '<agent/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(errorOf(xml).code).toBe('INVALID_REQUEST');

    const huge = await post({ ...scriptAgent('acme.huge'), description: 'x'.repeat(1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(errorOf(huge).code).toBe('PAYLOAD_TOO_LARGE');
    expect(api.baton.catalog.has('acme.huge')).toBe(false);
  });

  it('answers 404 NOT_FOUND for an unknown agent, version and route', async () => {
    const agent = await api.app.inject({ url: '/api/v1/agents/acme.nobody' });
    expect(agent.statusCode).toBe(404);
    expect(errorOf(agent).code).toBe('NOT_FOUND');
    await post(scriptAgent('acme.echo'));
    const version = await api.app.inject({ url: '/api/v1/agents/acme.echo/versions/9.9.9' });
    expect(version.statusCode).toBe(404);
    expect(errorOf(version).message).toContain('its versions: 1.0.0');
    const route = await api.app.inject({ method: 'DELETE', url: '/api/v1/agents/acme.echo' });
    expect(route.statusCode).toBe(404);
    expect(errorOf(route)).toMatchObject({
      code: 'NOT_FOUND',
      message: 'no route DELETE /api/v1/agents/acme.echo',
    });
  });
});
