import { z } from 'zod';
import { countParam, listParam } from './request-fields.js';

/*
 * What the agent registry routes of the HTTP API accept (`/api/v1/agents…`, see docs/api.md). Agent definitions
 * themselves are checked by the registry (`DEFINITION_INVALID` with every problem); these schemas check only
 * the shape of a request around them, so a malformed request is refused with `INVALID_REQUEST` before it
 * reaches the registry.
 */

/** The most definitions one registration request may carry; each request is saved all or nothing. */
export const MAX_AGENTS_PER_REQUEST = 500;
/** The most executions one request lists, and how many it lists without `limit`. */
export const MAX_EXECUTIONS_PER_REQUEST = 1_000;
export const DEFAULT_EXECUTIONS_PER_REQUEST = 100;

/**
 * The lifecycle states of an agent version as the API carries them. The same values as `AgentStatusSchema` of
 * `@baton/core`, which this package may not import; the server's tests keep the two equal.
 */
export const WireAgentStatusSchema = z.enum(['active', 'beta', 'deprecated', 'offline']);
export type WireAgentStatus = z.infer<typeof WireAgentStatusSchema>;

/** The business domains of agents, as `DomainSchema` of `@baton/core` has them. */
export const WireDomainSchema = z.enum([
  'sales',
  'legal',
  'engineering',
  'finance',
  'operations',
  'marketing',
]);
export type WireDomain = z.infer<typeof WireDomainSchema>;

/** The agent kinds, as `AgentKindSchema` of `@baton/core` has them. */
export const WireAgentKindSchema = z.enum([
  'builtin',
  'function',
  'llm',
  'http',
  'a2a',
  'mcp',
  'script',
  'workflow',
]);
export type WireAgentKind = z.infer<typeof WireAgentKindSchema>;

/** `:id` of `/agents/:id…`. Ids are checked for what they are by the registry; here only for size. */
export const AgentIdParamsSchema = z.strictObject({ id: z.string().min(1).max(200) });
export type AgentIdParams = z.infer<typeof AgentIdParamsSchema>;

/** `:id` and `:version` of `/agents/:id/versions/:version…`. */
export const AgentVersionParamsSchema = z.strictObject({
  id: z.string().min(1).max(200),
  version: z.string().min(1).max(100),
});
export type AgentVersionParams = z.infer<typeof AgentVersionParamsSchema>;

/** A number ≥ 0 written in a query string; the empty string is refused rather than read as 0. */
const amountParam = z
  .string()
  .regex(/^\d+(\.\d+)?$/, { message: 'must be a number ≥ 0, e.g. 0.05' })
  .transform(Number);

/**
 * The catalog search (`GET /api/v1/agents`): the filters of the registry's agent query. Ranges are judged as
 * selection judges agents — measured figures once there are enough executions, declared ones before.
 */
export const AgentSearchQuerySchema = z.strictObject({
  /** Words that must each appear in the id, name, skills or description. */
  q: z.string().max(500).optional(),
  domain: WireDomainSchema.optional(),
  /** Skills the agent must all offer. */
  skill: listParam.optional(),
  inputType: z.string().min(1).max(200).optional(),
  outputType: z.string().min(1).max(200).optional(),
  /** Statuses to include; by default every one but `offline`. */
  status: listParam.pipe(z.array(WireAgentStatusSchema)).optional(),
  kind: WireAgentKindSchema.optional(),
  minCostUsd: amountParam.optional(),
  maxCostUsd: amountParam.optional(),
  minLatencyMs: amountParam.optional(),
  maxLatencyMs: amountParam.optional(),
  /** Percent, 0–100. */
  minSuccessRate: amountParam.pipe(z.number().max(100)).optional(),
  /** `true`: every version of each agent, not only the newest of the wanted statuses. */
  allVersions: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  limit: countParam(10_000).optional(),
});
export type AgentSearchQuery = z.infer<typeof AgentSearchQuerySchema>;

/** The body of `PUT /api/v1/agents/:id/versions/:version`: one agent definition (`id` and `version` may be left out). */
export const AgentDefinitionBodySchema = z.record(z.string(), z.unknown(), {
  error: 'the body must be a JSON object: an agent definition',
});
export type AgentDefinitionBody = z.infer<typeof AgentDefinitionBodySchema>;

/** `{ "agents": [definitions…] }`: definitions to save all or nothing. */
export const AgentBatchBodySchema = z.strictObject(
  {
    agents: z
      .array(z.record(z.string(), z.unknown(), { error: 'each agent definition must be a JSON object' }))
      .min(1, { message: 'give at least one agent definition' })
      .max(MAX_AGENTS_PER_REQUEST, { message: `give at most ${MAX_AGENTS_PER_REQUEST} definitions at once` }),
  },
  { error: 'the body must be a JSON object: one agent definition, or { "agents": [definitions…] }' },
);

/**
 * The body of `POST /api/v1/agents`: one agent definition, or `{ "agents": [definitions…] }`. Either way it
 * parses to the batch form, so the server saves one list.
 */
export const RegisterAgentsBodySchema = z.preprocess(
  // An agent definition has no `agents` field, so an object without one is a single definition.
  (body) =>
    typeof body === 'object' && body !== null && !Array.isArray(body) && !('agents' in body)
      ? { agents: [body] }
      : body,
  AgentBatchBodySchema,
);
export type RegisterAgentsBody = z.infer<typeof RegisterAgentsBodySchema>;

/** The body of `POST …/deprecate`; it may be left out. */
export const DeprecateAgentBodySchema = z
  .strictObject({
    /** The agent to use instead, `id` or `id@version`: it must be registered and not offline. */
    replacedBy: z.string().min(1).max(300).optional(),
  })
  .default({});
export type DeprecateAgentBody = z.infer<typeof DeprecateAgentBodySchema>;

/** The body of `PUT …/status`. */
export const SetAgentStatusBodySchema = z.strictObject({ status: WireAgentStatusSchema });
export type SetAgentStatusBody = z.infer<typeof SetAgentStatusBodySchema>;

/** The query of `GET …/executions`: newest first, at most `limit`. */
export const AgentExecutionsQuerySchema = z.strictObject({
  limit: countParam(MAX_EXECUTIONS_PER_REQUEST).default(DEFAULT_EXECUTIONS_PER_REQUEST),
});
export type AgentExecutionsQuery = z.infer<typeof AgentExecutionsQuerySchema>;

/** The body of `POST /api/v1/agents/import`: an A2A agent card to import. */
export const ImportAgentBodySchema = z.strictObject({
  /** The card's URL, or the agent's base URL (its `.well-known/agent-card.json` is read). */
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2_000),
  /** `true`: read and map the card, save nothing. */
  dryRun: z.boolean().default(false),
  /** The agent id; by default a slug of the card's name. */
  id: z.string().min(1).max(200).optional(),
  domain: WireDomainSchema.optional(),
  /** The name of a secret sent as a bearer token to the agent (and for the card). */
  authSecret: z.string().min(1).max(200).optional(),
});
export type ImportAgentBody = z.infer<typeof ImportAgentBodySchema>;

/** The query of `GET /api/v1/agent-health`: agents to probe (ids or `id@version`); by default every one. */
export const AgentHealthQuerySchema = z.strictObject({ agent: listParam.optional() });
export type AgentHealthQuery = z.infer<typeof AgentHealthQuerySchema>;
