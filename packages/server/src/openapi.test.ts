import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorBodySchema, RegisterAgentsBodySchema, StartRunBodySchema } from '@baton/protocol';
import { API_OPERATIONS } from './openapi/api-operations.js';
import {
  API_DOCUMENT_VERSION,
  openApiDocument,
  type JsonSchema,
  type OpenApiDocument,
} from './openapi/openapi-document.js';
import { openApi, type ApiHarness } from './testing/api-harness.js';

const TOKEN = 'a-long-enough-test-token-0123456789';

let api: ApiHarness | undefined;
afterEach(async () => {
  await api?.dispose();
  api = undefined;
});

/** `METHOD /path/{param}` of every route the server registers, but HEAD and OPTIONS twins and `/healthz`. */
async function registeredRoutes(): Promise<string[]> {
  api = await openApi();
  const routes: string[] = [];
  api.app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS' || route.url === '/healthz') continue;
      routes.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    }
  });
  await api.app.ready();
  return routes.sort();
}

/** Every value under `value` with its key, depth first. */
function* entries(value: unknown): Generator<[string, unknown]> {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    yield [key, item];
    yield* entries(item);
  }
}

function resolve(document: OpenApiDocument, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

function bodySchemaOf(document: OpenApiDocument, method: 'post' | 'put', path: string): JsonSchema {
  const schema = document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  expect(schema, `${method} ${path}`).toBeDefined();
  return schema!;
}

describe('the table of API operations', () => {
  it('lists every route the server registers, once, and no other', async () => {
    const listed = API_OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`).sort();
    expect(new Set(listed).size).toBe(listed.length);
    const registered = await registeredRoutes();
    expect(registered.length).toBeGreaterThan(30);
    expect(listed).toEqual(registered);
  });

  it('gives every operation a unique operationId', () => {
    const ids = API_OPERATIONS.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the OpenAPI document', () => {
  const document = openApiDocument();

  it('is an OpenAPI 3.1 document of the Baton API whose version is the server package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Baton API', version: pkg.version });
    expect(API_DOCUMENT_VERSION).toBe(pkg.version);
    expect(document.servers).toEqual([{ url: '/' }]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearer: [] }]);
  });

  it('has operations under every path, responses for every operation, and ErrorBody for every error', () => {
    const tags = new Set(document.tags.map((tag) => tag.name));
    expect(Object.keys(document.paths).length).toBeGreaterThan(20);
    for (const [path, item] of Object.entries(document.paths)) {
      const operations = Object.entries(item);
      expect(operations.length, path).toBeGreaterThan(0);
      for (const [method, operation] of operations) {
        const where = `${method} ${path}`;
        expect(tags.has(operation.tags[0]!), where).toBe(true);
        const statuses = Object.keys(operation.responses);
        expect(
          statuses.some((status) => status.startsWith('2')),
          where,
        ).toBe(true);
        for (const status of statuses.filter((s) => Number(s) >= 400)) {
          expect(
            operation.responses[status]?.content?.['application/json']?.schema,
            `${where} ${status}`,
          ).toEqual({
            $ref: '#/components/schemas/ErrorBody',
          });
        }
        expect(statuses, where).toContain('401');
        expect(statuses, where).toContain('500');
        // Every `{param}` of the path is a required path parameter, and there are no others.
        const named = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        const inPath = (operation.parameters ?? []).filter((p) => p.in === 'path');
        expect(inPath.map((p) => p.name).sort(), where).toEqual(named);
        expect(
          inPath.every((p) => p.required),
          where,
        ).toBe(true);
      }
    }
  });

  it('resolves every $ref to a schema of its components', () => {
    const refs = [...entries(document)].filter(([key]) => key === '$ref').map(([, ref]) => ref as string);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\//);
      expect(resolve(document, ref), ref).toBeTypeOf('object');
    }
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('describes ErrorBody as the API answers it', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const valid = ajv.compile(document.components.schemas.ErrorBody!);
    const body = { error: { code: 'NOT_FOUND', message: 'no run "x"', retryable: false } };
    expect(ErrorBodySchema.parse(body)).toEqual(body);
    expect(valid(body)).toBe(true);
    expect(valid({ error: { message: 'no code', retryable: false } })).toBe(false);
  });

  it('gives only valid JSON Schemas, which Ajv compiles', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    const schemas: JsonSchema[] = [];
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        for (const parameter of operation.parameters ?? []) schemas.push(parameter.schema);
        const body = operation.requestBody?.content['application/json']?.schema;
        if (body) schemas.push(body);
      }
    }
    expect(schemas.length).toBeGreaterThan(40);
    for (const schema of schemas) {
      // The document's own `$ref`s point into it; Ajv resolves them against the component schemas added above.
      expect(() => ajv.compile(schema), JSON.stringify(schema)).not.toThrow();
    }
  });

  it('describes the body of POST /api/v1/agents: one definition, or agents to save all at once', () => {
    const schema = bodySchemaOf(document, 'post', '/api/v1/agents');
    expect(document.paths['/api/v1/agents']?.post?.requestBody?.required).toBe(true);
    const forms = schema.anyOf as JsonSchema[];
    expect(forms).toHaveLength(2);
    expect(forms[0]).toMatchObject({ type: 'object', required: ['agents'], additionalProperties: false });
    expect(forms[0]?.properties).toMatchObject({ agents: { type: 'array', minItems: 1, maxItems: 500 } });
    expect(forms[1]).toMatchObject({ type: 'object' });
    // The document accepts what the route's schema accepts, and refuses what it refuses.
    const valid = new Ajv2020({ strict: false }).compile(schema);
    const bodies: unknown[] = [
      { id: 'acme.one', version: '1.0.0' },
      {},
      { agents: [{ id: 'a' }, { id: 'b' }] },
      { agents: [] },
      { agents: {} },
      { agents: [{ id: 'a' }], extra: true },
      { agents: ['not an object'] },
      [{ id: 'a' }],
      'text',
      null,
    ];
    for (const body of bodies) {
      expect(valid(body), JSON.stringify(body)).toBe(RegisterAgentsBodySchema.safeParse(body).success);
    }
  });

  it('describes the body of POST /api/v1/runs with its required workflow, as a client writes it', () => {
    const schema = bodySchemaOf(document, 'post', '/api/v1/runs');
    expect(schema).toMatchObject({ type: 'object', required: ['workflow'], additionalProperties: false });
    const properties = schema.properties as Record<string, JsonSchema>;
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining(['workflow', 'input', 'priority', 'labels', 'org', 'stepThrough', 'runId']),
    );
    // Input side: `input` has a default, so a client may leave it out.
    expect(schema.required).not.toContain('input');
    expect(properties.priority).toMatchObject({ type: 'integer', minimum: 0, maximum: 100 });
    const valid = new Ajv2020({ strict: false }).compile(schema);
    const bodies: unknown[] = [
      { workflow: { id: 'invoice' } },
      {
        workflow: { id: 'invoice', version: '1.0.0' },
        input: { amount: 3 },
        priority: 10,
        labels: { team: 'a' },
      },
      { workflow: { nodes: [] }, stepThrough: true, runId: 'my-run.1' },
      { input: {} },
      { workflow: { id: 'invoice' }, surprise: true },
      { workflow: { id: 'invoice' }, priority: 101 },
      { workflow: { id: 'invoice' }, runId: '-bad' },
      { workflow: 'invoice' },
    ];
    for (const body of bodies) {
      expect(valid(body), JSON.stringify(body)).toBe(StartRunBodySchema.safeParse(body).success);
    }
  });

  it('lets bodies that take nothing be left out, and gives query parameters as the query string has them', () => {
    expect(document.paths['/api/v1/runs/{id}/pause']?.post?.requestBody?.required).toBe(false);
    expect(document.paths['/api/v1/runs/{id}/vars']?.post?.requestBody?.required).toBe(true);
    const listRuns = document.paths['/api/v1/runs']?.get;
    const limit = listRuns?.parameters?.find((p) => p.name === 'limit');
    expect(limit).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'string', pattern: '^\\d+$' },
    });
    const stream = document.paths['/api/v1/runs/{id}/events/stream']?.get;
    expect(Object.keys(stream?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(stream?.responses['204']?.content).toBeUndefined();
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('serves the document', async () => {
    api = await openApi();
    const response = await api.app.inject({ url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('needs the token when one is configured, like every route but /healthz', async () => {
    api = await openApi({ apiToken: TOKEN });
    const refused = await api.app.inject({ url: '/api/v1/openapi.json' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(ErrorBodySchema.parse(refused.json()).error.code).toBe('UNAUTHENTICATED');
    const served = await api.app.inject({
      url: '/api/v1/openapi.json',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(served.statusCode).toBe(200);
    expect(served.json<OpenApiDocument>().openapi).toBe('3.1.0');
  });
});
