export { startPostgres, type PostgresServer, type StartPostgresOptions } from './postgres.js';
export { findPostgresBinaries, postgresAvailable, type PostgresBinaries } from './postgres-binaries.js';
export { requireService, underCi } from './require-service.js';
export { freePort } from './free-port.js';
export { redisAvailable, redisCommand, startRedis, type RedisServer } from './redis.js';
export { serveJsonDocuments, type JsonDocumentServer } from './json-documents.js';
