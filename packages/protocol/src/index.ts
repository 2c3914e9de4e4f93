export { ErrorBodySchema, ProblemBodySchema, type ErrorBody, type ProblemBody } from './error-body.js';
