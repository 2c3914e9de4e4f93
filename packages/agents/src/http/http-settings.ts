import type { AgentDefinition } from '@baton/core';
import { z } from 'zod';
import { readKindSettings } from './kind-settings.js';

const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the runtime sets itself; an auth header may not replace them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'accept',
  'idempotency-key',
]);

const EndpointSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute http or https URL' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `must be an http or https URL, not ${url.protocol}` });
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({
      code: 'custom',
      message: 'must not carry credentials; name a secret in settings.auth instead',
    });
  }
});

const AuthSchema = z
  .strictObject({
    secret: z.string().regex(SECRET_NAME, 'must be a secret name: a letter, then letters, digits or _'),
    header: z
      .string()
      .regex(HEADER_NAME, 'must be an HTTP header name')
      .refine((h) => !RESERVED_HEADERS.has(h.toLowerCase()), 'is a header the runtime sets itself')
      .default('Authorization'),
    scheme: z
      .string()
      .regex(/^[A-Za-z0-9._~+/-]*$/, 'must be a single word such as Bearer')
      .optional(),
  })
  .transform(({ secret, header, scheme }) => ({
    secret,
    header,
    // `Authorization` takes a scheme; a custom header such as `X-Api-Key` usually carries the bare value.
    scheme: scheme ?? (header.toLowerCase() === 'authorization' ? 'Bearer' : ''),
  }));

const HttpSettingsSchema = z.strictObject({
  endpoint: EndpointSchema,
  auth: AuthSchema.optional(),
  // Settings of the simulation, read by the builtin runtime when a definition asks to be simulated.
  simulated: z.unknown().optional(),
  latencyMs: z.unknown().optional(),
});

/**
 * The settings of an `http` agent, from its definition's `settings`:
 *
 * ```json
 * "settings": {
 *   "endpoint": "https://scoring.example.com/v1/score",
 *   "auth": { "secret": "SCORING_TOKEN", "header": "Authorization", "scheme": "Bearer" }
 * }
 * ```
 *
 * `auth` is optional; its `header` defaults to `Authorization`, whose `scheme` defaults to `Bearer` (other
 * headers get the bare secret unless a scheme is given). The secret's value comes from the runtime's
 * `SecretStore`, never from the definition.
 */
export interface HttpAgentSettings {
  readonly endpoint: string;
  readonly auth?: { readonly secret: string; readonly header: string; readonly scheme: string };
}

/** Reads and checks the settings; a `DefinitionError` names every field that is wrong. */
export function readHttpSettings(agent: AgentDefinition): HttpAgentSettings {
  const { endpoint, auth } = readKindSettings(agent, 'http', HttpSettingsSchema);
  return auth === undefined ? { endpoint } : { endpoint, auth };
}
