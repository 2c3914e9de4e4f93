export { PostgresStore, type PostgresStoreOptions, type PostgresStoreInfo } from './postgres-store.js';
export { type PostgresStoreStats } from './query-stats.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { MIN_SERVER_MAJOR, checkServerVersion } from './server-version.js';
