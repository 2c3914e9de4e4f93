import type { FastifyInstance } from 'fastify';
import type { ActOptions, Baton } from '@baton/embedded';
import {
  EditTaskInputBodySchema,
  OperatorActBodySchema,
  RunIdParamsSchema,
  RunTaskParamsSchema,
  SetVarsBodySchema,
  SkipTaskBodySchema,
  StepRunBodySchema,
  type OperatorActBody,
} from '@baton/protocol';
import { parseRequest } from '../parse-request.js';
import { DEFAULT_ACTOR, runNow } from './run-lookup.js';

/** The controls on a whole run that take who acts and why, by the last segment of their path. */
const RUN_ACTS = {
  pause: (baton: Baton, runId: string, act: ActOptions) => baton.pause(runId, act.by, act.reason),
  resume: (baton: Baton, runId: string, act: ActOptions) => baton.resume(runId, act.by, act.reason),
  cancel: (baton: Baton, runId: string, act: ActOptions) => baton.cancel(runId, act.by, act.reason),
  rollback: (baton: Baton, runId: string, act: ActOptions) => baton.rollback(runId, act),
} as const;

/**
 * What operators do to runs, as `baton runs pause|resume|cancel|…` does: each answers the run as it is once the
 * control applied — by this process, or by the one that drives the run. A control the run's state does not allow
 * is refused by Baton (409 `CONFLICT`, `details.code` `INVALID_STATE`, `RUN_FINISHED` or `RUN_ROLLING_BACK`)
 * and changes nothing; an unknown run or task is 404. Every act lands in the run's audit trail, as `by`
 * (`api` when the body names nobody).
 */
export function runControlRoutes(app: FastifyInstance, baton: Baton): void {
  for (const [name, act] of Object.entries(RUN_ACTS)) {
    app.post(`/runs/:id/${name}`, async (request) => {
      const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
      const body = parseRequest(OperatorActBodySchema, request.body, 'body');
      await act(baton, id, actOf(body));
      return runNow(baton, id);
    });
  }

  // Step-through mode: dispatches the next held task.
  app.post('/runs/:id/step', async (request) => {
    const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
    const { by } = parseRequest(StepRunBodySchema, request.body, 'body');
    await baton.step(id, by ?? DEFAULT_ACTOR);
    return runNow(baton, id);
  });

  // Sets workflow variables of a paused run.
  app.post('/runs/:id/vars', async (request) => {
    const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
    const { vars, ...act } = parseRequest(SetVarsBodySchema, request.body, 'body');
    await baton.setVars(id, vars, actOf(act));
    return runNow(baton, id);
  });

  // Runs a failed task that waits for a person again, as its next attempt.
  app.post('/runs/:id/tasks/:taskKey/retry', async (request) => {
    const { id, taskKey } = parseRequest(RunTaskParamsSchema, request.params, 'params');
    const body = parseRequest(OperatorActBodySchema, request.body, 'body');
    await baton.retryTask(id, taskKey, actOf(body));
    return runNow(baton, id);
  });

  // Settles an open task with `output` (null when left out) as if its agent had returned it.
  app.post('/runs/:id/tasks/:taskKey/skip', async (request) => {
    const { id, taskKey } = parseRequest(RunTaskParamsSchema, request.params, 'params');
    const { output = null, ...act } = parseRequest(SkipTaskBodySchema, request.body, 'body');
    await baton.skipTask(id, taskKey, output, actOf(act));
    return runNow(baton, id);
  });

  // Lays `input` over the inputs of an agent task that has not started (a paused or step-through run).
  app.post('/runs/:id/tasks/:taskKey/input', async (request) => {
    const { id, taskKey } = parseRequest(RunTaskParamsSchema, request.params, 'params');
    const { input, ...act } = parseRequest(EditTaskInputBodySchema, request.body, 'body');
    await baton.editTaskInput(id, taskKey, input, actOf(act));
    return runNow(baton, id);
  });
}

/** Who acts (`api` unless named) and why. */
function actOf(body: OperatorActBody): ActOptions & { by: string } {
  return { by: body.by ?? DEFAULT_ACTOR, ...(body.reason === undefined ? {} : { reason: body.reason }) };
}
