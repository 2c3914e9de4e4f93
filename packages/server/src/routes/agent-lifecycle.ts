import type { FastifyInstance } from 'fastify';
import type { Baton } from '@baton/embedded';
import {
  AgentVersionParamsSchema,
  DeprecateAgentBodySchema,
  SetAgentStatusBodySchema,
} from '@baton/protocol';
import { parseRequest } from '../parse-request.js';
import { exactVersion, refOf } from './agent-lookup.js';

/**
 * Changing an agent version's lifecycle: deprecate it (optionally naming its replacement) or set its status. The
 * registry checks the replacement before it writes, so a refused change leaves the version as it was.
 */
export function agentLifecycleRoutes(app: FastifyInstance, baton: Baton): void {
  app.post('/agents/:id/versions/:version/deprecate', async (request) => {
    const params = parseRequest(AgentVersionParamsSchema, request.params, 'params');
    const { replacedBy } = parseRequest(DeprecateAgentBodySchema, request.body, 'body');
    const ref = refOf(exactVersion(baton, params));
    const agent = await baton.deprecateAgent(ref, replacedBy === undefined ? {} : { replacedBy });
    return { agent };
  });

  app.put('/agents/:id/versions/:version/status', async (request) => {
    const params = parseRequest(AgentVersionParamsSchema, request.params, 'params');
    const { status } = parseRequest(SetAgentStatusBodySchema, request.body, 'body');
    const agent = await baton.setAgentStatus(refOf(exactVersion(baton, params)), status);
    return { agent };
  });
}
