import type { FastifyInstance } from 'fastify';
import type { Baton } from '@baton/embedded';
import {
  AgentExecutionsQuerySchema,
  AgentHealthQuerySchema,
  AgentVersionParamsSchema,
  ImportAgentBodySchema,
} from '@baton/protocol';
import { parseRequest } from '../parse-request.js';
import { exactVersion, refOf, refuseRegistered } from './agent-lookup.js';

/** What the registry knows beyond definitions — dependencies, executions, usage, reachability — and imports. */
export function agentInsightRoutes(app: FastifyInstance, baton: Baton): void {
  // What the version needs (secrets, tools, endpoints), which saved workflows call it, and what deprecating it
  // would touch.
  app.get('/agents/:id/versions/:version/dependencies', async (request) => {
    const params = parseRequest(AgentVersionParamsSchema, request.params, 'params');
    const ref = refOf(exactVersion(baton, params));
    const [dependencies, deprecationImpact] = await Promise.all([
      baton.agentDependencies(ref),
      baton.deprecationImpact(ref),
    ]);
    return { dependencies, deprecationImpact };
  });

  // The latest settled executions, newest first.
  app.get('/agents/:id/versions/:version/executions', async (request) => {
    const params = parseRequest(AgentVersionParamsSchema, request.params, 'params');
    const { limit } = parseRequest(AgentExecutionsQuerySchema, request.query, 'query');
    const ref = refOf(exactVersion(baton, params));
    return { agent: ref, executions: await baton.agentExecutions(ref, limit) };
  });

  // Every agent version ever dispatched: its tasks, runs and last use.
  app.get('/agent-usage', async () => ({ usage: await baton.agentUsage() }));

  // Probes agents (a request that runs no task) with what their circuit breakers say; every agent by default.
  // A path of its own rather than /agents/health, which would hide an agent whose id is `health`.
  app.get('/agent-health', async (request) => {
    const { agent } = parseRequest(AgentHealthQuerySchema, request.query, 'query');
    const agents = await baton.probeAgents(agent === undefined || agent.length === 0 ? undefined : agent);
    return { agents };
  });

  // Reads an A2A agent card through the egress guard and registers it — refused like POST /agents when that
  // version is registered already; `dryRun` only maps the card.
  app.post('/agents/import', async (request, reply) => {
    const { url, dryRun, ...mapping } = parseRequest(ImportAgentBodySchema, request.body, 'body');
    const definition = await baton.importA2aAgent(url, {
      save: false,
      ...(mapping.id === undefined ? {} : { id: mapping.id }),
      ...(mapping.domain === undefined ? {} : { domain: mapping.domain }),
      ...(mapping.authSecret === undefined ? {} : { authSecret: mapping.authSecret }),
    });
    if (dryRun) return { agent: definition, saved: false };
    refuseRegistered(baton, [definition]);
    return reply.code(201).send({ agent: await baton.saveAgent(definition), saved: true });
  });
}
