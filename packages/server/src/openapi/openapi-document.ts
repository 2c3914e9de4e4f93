import { z } from 'zod';
import { ErrorBodySchema } from '@baton/protocol';
import type { ApiOperation, ApiTag } from './api-operation.js';
import { API_OPERATIONS } from './api-operations.js';

/** The version the document gives the API: the version of `@baton/server` (a test keeps the two equal). */
export const API_DOCUMENT_VERSION = '0.1.0';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect). */
export type JsonSchema = Record<string, unknown>;

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface OpenApiMediaType {
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: ApiTag[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse>;
}

/** The OpenAPI 3.1 document of the API, as `GET /api/v1/openapi.json` serves it. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: {
    title: string;
    version: string;
    description: string;
    license: { name: string; identifier: string };
  };
  servers: { url: string }[];
  security: Record<string, string[]>[];
  tags: { name: ApiTag; description: string }[];
  paths: Record<string, Partial<Record<ApiOperation['method'], OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}

const TAGS: OpenApiDocument['tags'] = [
  { name: 'agents', description: 'The agent registry: search, register, lifecycle, dependencies and use' },
  { name: 'workflows', description: 'Validate, save, read and plan workflow versions' },
  { name: 'runs', description: 'Start runs, read them and their events, and act on them as an operator' },
  { name: 'approvals', description: 'Tasks waiting for a person, and the answers to them' },
  { name: 'meta', description: 'About the API itself' },
];

/** What each error status means, as docs/errors.md says; every one answers with an `ErrorBody`. */
const ERROR_STATUSES: Readonly<Record<number, string>> = {
  400: '`INVALID_REQUEST`: the request is malformed; `problems` name each field (`body.…`, `query.…`, `params.…`)',
  401: '`UNAUTHENTICATED`: a token is configured and the request did not carry it',
  403: '`FORBIDDEN`: the egress guard refuses the address',
  404: '`NOT_FOUND`: no such resource',
  409: '`CONFLICT`: the request clashes with what exists or with the state of the run; `details.code` says why',
  413: '`PAYLOAD_TOO_LARGE`: the body is over the server limit',
  415: '`INVALID_REQUEST`: the body is not JSON',
  422: '`DEFINITION_INVALID`: a definition, document or input cannot be used as written; `problems` lists each',
  429: '`RATE_LIMITED`: too many requests from this client; `Retry-After` says when to try again',
  500: '`INTERNAL`: a fault of the server; the message names the request',
  502: '`AGENT_FAILED`: a remote agent or card could not be read',
  504: '`TIMEOUT`: a remote agent or card did not answer in time',
};

const ERROR_BODY_REF = { $ref: '#/components/schemas/ErrorBody' };

/**
 * The error statuses of an operation: its own, and those every route shares — 400 when it parses any part of
 * the request, 401 (with a token configured), 413 and 415 when it reads a body, 429, 500.
 */
export function errorStatusesOf(operation: ApiOperation): number[] {
  const parses = operation.params ?? operation.query ?? operation.body;
  const shared = [...(parses ? [400] : []), 401, ...(operation.body ? [413, 415] : []), 429, 500];
  return [...new Set([...shared, ...operation.errors])].sort((a, b) => a - b);
}

/**
 * Turns zod schemas into JSON Schemas for the document. Schemas zod has to name (recursive ones such as JSON
 * values) come out in `$defs`, which a schema inside an OpenAPI document cannot carry: they move to
 * `components.schemas`, the same definition under one name however many operations use it.
 */
class SchemaCollector {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly names = new Map<string, string>();
  private readonly jsonValue: string;

  constructor() {
    this.jsonValue = JSON.stringify(
      Object.values(rawJsonSchema(z.object({ v: z.json() }), 'input').$defs ?? {}),
    );
  }

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const { $schema: _dialect, $defs, ...json } = rawJsonSchema(schema, io);
    if ($defs === undefined) return json;
    const blob = JSON.stringify(Object.values($defs));
    const renames = new Map<string, string>();
    for (const key of Object.keys($defs)) {
      const identity = `${blob}#${key}`;
      let name = this.names.get(identity);
      if (name === undefined) {
        name = blob === this.jsonValue ? 'JsonValue' : `Schema${this.names.size + 1}`;
        this.names.set(identity, name);
      }
      renames.set(`#/$defs/${key}`, `#/components/schemas/${name}`);
    }
    for (const [key, definition] of Object.entries($defs)) {
      const name = renames.get(`#/$defs/${key}`)!.slice('#/components/schemas/'.length);
      this.schemas[name] ??= rewriteRefs(definition, renames) as JsonSchema;
    }
    return rewriteRefs(json, renames) as JsonSchema;
  }
}

function rawJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
): JsonSchema & { $defs?: Record<string, JsonSchema> } {
  // Input side for requests: fields with defaults are optional, and transforms are described by what they read.
  return z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' });
}

function rewriteRefs(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string' ? (renames.get(item) ?? item) : rewriteRefs(item, renames),
    ]),
  );
}

function parametersOf(
  schemas: SchemaCollector,
  where: OpenApiParameter['in'],
  schema: z.ZodType | undefined,
): OpenApiParameter[] {
  if (schema === undefined) return [];
  const json = schemas.convert(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

function operationOf(schemas: SchemaCollector, operation: ApiOperation): OpenApiOperation {
  const parameters = [
    ...parametersOf(schemas, 'path', operation.params),
    ...parametersOf(schemas, 'query', operation.query),
  ];
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, description] of Object.entries(operation.responses)) {
    const mediaType = operation.eventStream ? 'text/event-stream' : 'application/json';
    const schema: JsonSchema = operation.eventStream ? { type: 'string' } : { type: 'object' };
    responses[status] =
      status === '204' ? { description } : { description, content: { [mediaType]: { schema } } };
  }
  for (const status of errorStatusesOf(operation)) {
    responses[String(status)] = {
      description: ERROR_STATUSES[status] ?? 'an error',
      content: { 'application/json': { schema: ERROR_BODY_REF } },
    };
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    tags: [operation.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            // A body whose schema takes nothing at all (`.default({})`) may be left out.
            required: !operation.body.safeParse(undefined).success,
            content: { 'application/json': { schema: schemas.convert(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the API, generated from the table of its operations and the zod schemas the
 * routes parse requests with, so that it cannot describe a request the server would read otherwise.
 */
export function openApiDocument(operations: readonly ApiOperation[] = API_OPERATIONS): OpenApiDocument {
  const schemas = new SchemaCollector();
  const errorBody = schemas.convert(ErrorBodySchema, 'output');
  const paths: OpenApiDocument['paths'] = {};
  for (const operation of operations) {
    const item = (paths[operation.path] ??= {});
    item[operation.method] = operationOf(schemas, operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Baton API',
      version: API_DOCUMENT_VERSION,
      description:
        'Agents, workflows, runs and approvals over HTTP. Every error answers with an `ErrorBody`. With a token ' +
        'configured, every route but `/healthz` needs `Authorization: Bearer <token>`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: TAGS,
    paths,
    components: {
      schemas: { ErrorBody: errorBody, ...schemas.schemas },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: "The server's `BATON_API_TOKEN`; not needed when the server runs without one",
        },
      },
    },
  };
}
