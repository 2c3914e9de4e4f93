import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { NotFoundError, type AgentDefinitionInput, type AgentQuery } from '@baton/core';
import type { Baton } from '@baton/embedded';
import {
  AgentDefinitionBodySchema,
  AgentIdParamsSchema,
  AgentSearchQuerySchema,
  AgentVersionParamsSchema,
  RegisterAgentsBodySchema,
  type AgentSearchQuery,
  type ProblemBody,
} from '@baton/protocol';
import { ApiError } from '../api-error.js';
import type { StreamTiming } from './run-event-stream.js';
import { parseRequest } from '../parse-request.js';
import { agentInsightRoutes } from './agent-insights.js';
import { agentLifecycleRoutes } from './agent-lifecycle.js';
import { exactVersion, refOf, refuseRegistered } from './agent-lookup.js';

/** What every route plugin of the API is given. */
export interface RouteOptions {
  baton: Baton;
  /** Timing of the run event streams (defaults in run-event-stream.ts). */
  streams?: StreamTiming;
}

/**
 * The agent registry (FR-019.1) under `/api/v1`: search the catalog, register agents, look at their versions,
 * and — through the plugins this one registers — change their lifecycle and see what they need and did.
 */
export const agentRoutes: FastifyPluginCallback<RouteOptions> = (app, { baton }, done) => {
  catalogRoutes(app, baton);
  agentLifecycleRoutes(app, baton);
  agentInsightRoutes(app, baton);
  done();
};

function catalogRoutes(app: FastifyInstance, baton: Baton): void {
  // The catalog search, each agent with the figures selection judges it by.
  app.get('/agents', (request) => {
    const query = parseRequest(AgentSearchQuerySchema, request.query, 'query');
    const agents = baton.searchAgents(toAgentQuery(query)).map((definition) => ({
      definition,
      performance: baton.agentPerformance(refOf(definition)),
    }));
    return { agents };
  });

  // Registers one definition or a batch, all or nothing; versions already registered are refused.
  app.post('/agents', async (request, reply) => {
    const { agents } = parseRequest(RegisterAgentsBodySchema, request.body, 'body');
    const definitions = agents as AgentDefinitionInput[];
    refuseRegistered(baton, definitions);
    const saved = await baton.saveAgents(definitions);
    return reply.code(201).send({ agents: saved });
  });

  app.get('/agents/:id', (request) => {
    const { id } = parseRequest(AgentIdParamsSchema, request.params, 'params');
    const versions = baton.catalog.versions(id);
    if (versions.length === 0) throw new NotFoundError(`no agent "${id}" is registered`, { details: { id } });
    return { id, versions };
  });

  // One version: its definition, declared against measured figures, its use and its circuit breaker.
  app.get('/agents/:id/versions/:version', async (request) => {
    const params = parseRequest(AgentVersionParamsSchema, request.params, 'params');
    const definition = exactVersion(baton, params);
    const ref = refOf(definition);
    const usage = (await baton.agentUsage()).find((u) => u.agent === ref);
    const breaker = baton.agentHealth().find((b) => b.agent === ref);
    return {
      definition,
      performance: baton.agentPerformance(ref),
      usage: { tasks: usage?.tasks ?? 0, runs: usage?.runs ?? 0, lastUsedAt: usage?.lastUsedAt ?? 0 },
      ...(breaker ? { breaker } : {}),
    };
  });

  // Saves a definition of this version, replacing a saved one (as `saveAgent` and `baton agents register` do).
  app.put('/agents/:id/versions/:version', async (request) => {
    const { id, version } = parseRequest(AgentVersionParamsSchema, request.params, 'params');
    const body = parseRequest(AgentDefinitionBodySchema, request.body, 'body');
    const mismatched = (['id', 'version'] as const).flatMap((field): ProblemBody[] => {
      const given = body[field];
      const named = field === 'id' ? id : version;
      if (given === undefined || given === named) return [];
      const message = `is ${JSON.stringify(given)} but the path names "${named}"`;
      return [{ code: 'INVALID_VALUE', path: `body.${field}`, message, severity: 'error' }];
    });
    if (mismatched.length > 0) {
      const detail = mismatched.map((p) => `${p.path} ${p.message}`).join('; ');
      throw new ApiError(400, 'INVALID_REQUEST', `invalid request body: ${detail}`, mismatched);
    }
    const agent = await baton.saveAgent({ ...body, id, version } as AgentDefinitionInput);
    return { agent };
  });
}

function toAgentQuery(query: AgentSearchQuery): AgentQuery {
  const range = (min: number | undefined, max: number | undefined): { min?: number; max?: number } => ({
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
  });
  const { minCostUsd, maxCostUsd, minLatencyMs, maxLatencyMs } = query;
  return {
    ...(query.q === undefined ? {} : { text: query.q }),
    ...(query.domain === undefined ? {} : { domain: query.domain }),
    ...(query.skill === undefined ? {} : { skills: query.skill }),
    ...(query.inputType === undefined ? {} : { inputType: query.inputType }),
    ...(query.outputType === undefined ? {} : { outputType: query.outputType }),
    ...(query.status === undefined || query.status.length === 0 ? {} : { status: query.status }),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    ...(minCostUsd === undefined && maxCostUsd === undefined
      ? {}
      : { costUsd: range(minCostUsd, maxCostUsd) }),
    ...(minLatencyMs === undefined && maxLatencyMs === undefined
      ? {}
      : { latencyMs: range(minLatencyMs, maxLatencyMs) }),
    ...(query.minSuccessRate === undefined ? {} : { minSuccessRate: query.minSuccessRate }),
    ...(query.allVersions === undefined ? {} : { allVersions: query.allVersions }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
  };
}
