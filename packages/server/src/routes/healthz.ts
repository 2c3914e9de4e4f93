import type { FastifyPluginCallback } from 'fastify';

/**
 * `GET /healthz`: liveness for load balancers and orchestrators. Open without a token, so it says nothing
 * about the deployment (no mode, no data location).
 */
export const healthzRoutes: FastifyPluginCallback = (app, _options, done) => {
  app.get('/healthz', () => ({ status: 'ok' }));
  done();
};
