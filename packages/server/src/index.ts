export {
  createServer,
  DEFAULT_BODY_LIMIT,
  type CreateServerOptions,
  type FailedRequest,
} from './create-server.js';
export { listenApi, type ApiListener, type ListenApiOptions } from './listen-api.js';
export {
  bindingProblem,
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  isLoopbackHost,
  MIN_API_TOKEN_LENGTH,
  tokenProblem,
} from './api-binding.js';
export { errorReply, httpStatusOf, type ErrorReply } from './error-reply.js';
export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limits.js';
