import type { FastifyPluginCallback } from 'fastify';
import { openApiDocument, type OpenApiDocument } from '../openapi/openapi-document.js';

/**
 * `GET /openapi.json` (under `/api/v1`): the OpenAPI 3.1 document of the API, for client generators and API
 * explorers. Behind the token like every other API route; built once, on the first request.
 */
export const openApiRoutes: FastifyPluginCallback = (app, _options, done) => {
  let document: OpenApiDocument | undefined;
  app.get('/openapi.json', () => (document ??= openApiDocument()));
  done();
};
