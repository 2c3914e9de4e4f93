/** Whether this process runs under CI (`CI=true`, as CI systems set it). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['CI']?.toLowerCase();
  return value === 'true' || value === '1';
}

/**
 * The rule for suites that need a system service (PostgreSQL, Redis): on a developer's machine without the
 * binaries they are skipped, so `npm test` works anywhere; under CI a missing service must not turn a suite
 * silently green, so this throws instead. Returns whether the service is available, for
 * `describe.skipIf(!requireService(…))`.
 *
 * @param name what is missing, for the message (`PostgreSQL`)
 * @param available whether its binaries were found
 * @param hint how to install it (`apt-get install postgresql`)
 */
export function requireService(
  name: string,
  available: boolean,
  hint?: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (available) return true;
  if (underCi(env)) {
    throw new Error(
      `${name} is required under CI=true, but its binaries were not found${hint === undefined ? '' : `; ${hint}`}. ` +
        'Outside CI the suites that need it are skipped.',
    );
  }
  return false;
}
