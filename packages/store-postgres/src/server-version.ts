import { StorageError } from '@baton/core';

/**
 * The oldest PostgreSQL major version the store runs on. 14 is the oldest release the PostgreSQL project still
 * supports; the store is tested against newer ones, and refusing older servers up front beats failing later on
 * a statement or a behaviour they lack.
 */
export const MIN_SERVER_MAJOR = 14;

/**
 * Checks the server's `server_version_num` (`150014` for 15.14) and returns its major version; a server older
 * than {@link MIN_SERVER_MAJOR}, or a version that cannot be read, is a `StorageError` saying what to do.
 *
 * @param versionNum what `SHOW server_version_num` returned
 * @param versionText what `SHOW server_version` returned, for the message (`13.9 (Debian 13.9-1)`)
 * @param where the server, for the message
 */
export function checkServerVersion(versionNum: string, versionText: string, where: string): number {
  const num = Number(versionNum);
  if (!Number.isInteger(num) || num <= 0) {
    throw new StorageError(
      `cannot tell the version of the PostgreSQL server at ${where} (server_version_num is "${versionNum}"); Baton needs PostgreSQL ${MIN_SERVER_MAJOR} or newer`,
    );
  }
  // From version 10 on the number is major * 10000 + minor; before, major * 10000 + minor version * 100 + patch.
  const major = num >= 100_000 ? Math.floor(num / 10_000) : Math.floor(num / 100) / 100;
  if (major < MIN_SERVER_MAJOR) {
    throw new StorageError(
      `the PostgreSQL server at ${where} runs version ${versionText.split(' ')[0] ?? versionNum}, which Baton does not support; upgrade it to PostgreSQL ${MIN_SERVER_MAJOR} or newer`,
      { details: { serverVersionNum: num, minimumMajor: MIN_SERVER_MAJOR } },
    );
  }
  return major;
}
