import type { AgentDefinition } from '@baton/core';
import { z } from 'zod';
import { HEADER_NAME, SecretNameSchema, TRANSPORT_HEADERS, httpUrlSchema } from '../net/remote-settings.js';
import { SIMULATION_SETTINGS, readKindSettings } from './kind-settings.js';

/** Headers the runtime sets itself; an auth header may not replace them. */
const RESERVED_HEADERS = new Set([...TRANSPORT_HEADERS, 'idempotency-key']);

const AuthSchema = z
  .strictObject({
    secret: SecretNameSchema,
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
  endpoint: httpUrlSchema('settings.auth'),
  auth: AuthSchema.optional(),
  ...SIMULATION_SETTINGS,
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
