export {
  SqliteStore,
  DEFAULT_DATABASE_PATH,
  type SqliteStoreOptions,
  type SqliteStoreInfo,
} from './sqlite-store.js';
export { MIGRATIONS, type Migration } from './migrations.js';
