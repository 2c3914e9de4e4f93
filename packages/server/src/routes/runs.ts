import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import type { RunQuery, StartRunOptions } from '@baton/core';
import type { Baton } from '@baton/embedded';
import {
  encodeRunCursor,
  ForkRunBodySchema,
  RunEventsQuerySchema,
  RunIdParamsSchema,
  RunListQuerySchema,
  StartRunBodySchema,
  type StartRunBody,
} from '@baton/protocol';
import { parseRequest } from '../parse-request.js';
import type { RouteOptions } from './agents.js';
import { runControlRoutes } from './run-controls.js';
import { runEventStreamRoutes } from './run-event-stream.js';
import { runDetails, savedWorkflow } from './run-lookup.js';

/**
 * Runs under `/api/v1` (what `baton run` and `baton runs …` do): start them, list and read them, read their event
 * log (as JSON or a live stream), replay and fork them, and — through the plugins this one registers — act on
 * them as an operator.
 */
export const runRoutes: FastifyPluginCallback<RouteOptions> = (app, { baton, streams }, done) => {
  runReadRoutes(app, baton);
  runControlRoutes(app, baton);
  runEventStreamRoutes(app, baton, streams);
  done();
};

function runReadRoutes(app: FastifyInstance, baton: Baton): void {
  // Starts a run of a document or of a saved version. The input is checked against the workflow's `inputs`
  // schema before the run exists (422 with a problem per violation). The run is durable once this answers.
  app.post('/runs', async (request, reply) => {
    const body = parseRequest(StartRunBodySchema, request.body, 'body');
    const { workflow } = body;
    const document =
      'saved' in workflow
        ? await savedWorkflow(baton, workflow.saved.id, workflow.saved.version)
        : workflow.document;
    const run = await baton.startRun(document, body.input, startOptions(body));
    return reply.code(201).send({ run });
  });

  // Newest first; `next` (when more runs follow) is the `before` of the next page.
  app.get('/runs', async (request) => {
    const { status, workflowId, limit, before } = parseRequest(RunListQuerySchema, request.query, 'query');
    const query: RunQuery = {
      // One more than asked, to know whether another page follows without answering an empty one.
      limit: limit + 1,
      ...(status === undefined || status.length === 0 ? {} : { status }),
      ...(workflowId === undefined ? {} : { workflowId }),
      ...(before === undefined ? {} : { before }),
    };
    const found = await baton.listRuns(query);
    const runs = found.slice(0, limit);
    const last = runs.at(-1);
    return { runs, ...(found.length > limit && last ? { next: encodeRunCursor(last) } : {}) };
  });

  app.get('/runs/:id', async (request) => {
    const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
    return runDetails(baton, id);
  });

  // The event log after `after`, at most `limit` events; `next` is the `after` of the rest when there is more.
  app.get('/runs/:id/events', async (request) => {
    const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
    const { after, limit } = parseRequest(RunEventsQuerySchema, request.query, 'query');
    const found = await baton.readEvents(id, after);
    // Every run logs `run.created` first, so an empty log is an unknown run or one read to its end.
    if (found.length === 0) await runDetails(baton, id);
    const events = found.slice(0, limit);
    const last = events.at(-1);
    return { events, ...(found.length > limit && last ? { next: last.seq } : {}) };
  });

  // Replays the run from its log without calling agents: whether that reproduces the log, and where not.
  app.get('/runs/:id/replay', async (request) => {
    const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
    const { matches, steps, divergence } = await baton.replayRun(id);
    return {
      runId: id,
      matches,
      steps: steps.length,
      ...(divergence ? { divergence } : {}),
    };
  });

  // A new run of the same version that reuses the original's outputs upstream of `from`.
  app.post('/runs/:id/fork', async (request, reply) => {
    const { id } = parseRequest(RunIdParamsSchema, request.params, 'params');
    const { from, input, stepThrough, priority } = parseRequest(ForkRunBodySchema, request.body, 'body');
    const run = await baton.fork(id, {
      from,
      ...(input === undefined ? {} : { input }),
      ...(stepThrough === undefined ? {} : { stepThrough }),
      ...(priority === undefined ? {} : { priority }),
    });
    return reply.code(201).send({ run });
  });
}

function startOptions(body: StartRunBody): StartRunOptions {
  return {
    ...(body.runId === undefined ? {} : { runId: body.runId }),
    ...(body.priority === undefined ? {} : { priority: body.priority }),
    ...(body.labels === undefined ? {} : { labels: body.labels }),
    ...(body.org === undefined ? {} : { org: body.org }),
    ...(body.stepThrough === undefined ? {} : { stepThrough: body.stepThrough }),
  };
}
