import type { FastifyPluginCallback } from 'fastify';
import { ConflictError, FINAL_RUN_STATUSES, NotFoundError } from '@baton/core';
import type { Baton } from '@baton/embedded';
import {
  ApprovalsQuerySchema,
  DecisionBodySchema,
  ReplyBodySchema,
  RunTaskParamsSchema,
} from '@baton/protocol';
import { parseRequest } from '../parse-request.js';
import type { RouteOptions } from './agents.js';
import { DEFAULT_ACTOR, runDetails, runNow } from './run-lookup.js';

/**
 * People's part in runs under `/api/v1`: the inbox of tasks waiting for someone (approvals, escalated failures,
 * agents' questions) and the routes that answer them — what `baton runs decide` and `baton runs reply` do.
 */
export const approvalRoutes: FastifyPluginCallback<RouteOptions> = (app, { baton }, done) => {
  app.get('/approvals', async (request) => {
    const { assignee, runId } = parseRequest(ApprovalsQuerySchema, request.query, 'query');
    const approvals = await baton.pendingApprovals({
      ...(assignee === undefined ? {} : { assignee }),
      ...(runId === undefined ? {} : { runId }),
    });
    return { approvals };
  });

  // An approval's decision (one of its options), or retry / skip / abort on an escalated failure or a question.
  app.post('/runs/:id/tasks/:taskKey/decision', async (request) => {
    const { id, taskKey } = parseRequest(RunTaskParamsSchema, request.params, 'params');
    const { decision, by, comment } = parseRequest(DecisionBodySchema, request.body, 'body');
    await refuseUnlessWaiting(baton, id, taskKey);
    await baton.decide(id, taskKey, decision, by ?? DEFAULT_ACTOR, comment);
    return runNow(baton, id);
  });

  // Answers an agent that asked for input; its next attempt carries on with `reply`.
  app.post('/runs/:id/tasks/:taskKey/reply', async (request) => {
    const { id, taskKey } = parseRequest(RunTaskParamsSchema, request.params, 'params');
    const { reply, by, comment } = parseRequest(ReplyBodySchema, request.body, 'body');
    await refuseUnlessWaiting(baton, id, taskKey);
    await baton.reply(id, taskKey, reply, {
      by: by ?? DEFAULT_ACTOR,
      ...(comment === undefined ? {} : { comment }),
    });
    return runNow(baton, id);
  });

  done();
};

/**
 * Refuses a decision on a task of an unfinished run that is not waiting (404 for a task the run does not have,
 * 409 `INVALID_STATE` for one that is not waiting), as `baton runs decide` does: Baton would take the decision
 * and ignore it, and the caller would not learn that it came too late. A finished run is left to Baton, which
 * refuses with `RUN_FINISHED`.
 */
async function refuseUnlessWaiting(baton: Baton, runId: string, taskKey: string): Promise<void> {
  const { run, tasks } = await runDetails(baton, runId);
  if (FINAL_RUN_STATUSES.has(run.status)) return;
  const task = tasks.find((t) => t.key === taskKey);
  const waiting = tasks.filter((t) => t.status === 'waiting').map((t) => t.key);
  if (!task) {
    throw new NotFoundError(`run ${runId} has no task "${taskKey}"`, {
      details: { runId, taskKey, waiting },
    });
  }
  if (task.status !== 'waiting') {
    throw new ConflictError(
      `task "${taskKey}" of run ${runId} is ${task.status}, not waiting for a decision`,
      {
        details: { code: 'INVALID_STATE', waiting },
      },
    );
  }
}
