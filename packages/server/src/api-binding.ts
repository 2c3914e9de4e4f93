import { isIPv4, isIPv6 } from 'node:net';

/** Where `baton serve` listens unless told otherwise: this machine only. */
export const DEFAULT_API_HOST = '127.0.0.1';
export const DEFAULT_API_PORT = 7400;
/** The shortest API token accepted: shorter ones are guessable. */
export const MIN_API_TOKEN_LENGTH = 16;

/** Whether `host` can only be reached from this machine: `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost') return true;
  if (isIPv4(name)) return name.startsWith('127.');
  if (!isIPv6(name)) return false;
  if (name === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(name)) return true;
  // IPv4-mapped: ::ffff:127.0.0.1
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name)?.[1];
  return mapped !== undefined && mapped.startsWith('127.');
}

/** Why `token` cannot guard the API, or `undefined` when it can. */
export function tokenProblem(token: string): string | undefined {
  return token.length < MIN_API_TOKEN_LENGTH
    ? `BATON_API_TOKEN must be at least ${MIN_API_TOKEN_LENGTH} characters long (e.g. \`openssl rand -hex 32\`)`
    : undefined;
}

/**
 * Why the API may not listen on `host` with this token, or `undefined` when it may. Until sessions and API keys
 * exist, an API anyone on the network can reach must have a token.
 */
export function bindingProblem(host: string, apiToken: string | undefined): string | undefined {
  if (apiToken !== undefined) return tokenProblem(apiToken);
  if (isLoopbackHost(host)) return undefined;
  return (
    `refusing to serve the API on ${host} without a token: anyone who can reach it could start, decide and ` +
    'cancel runs and change the agent registry. Set BATON_API_TOKEN, or listen on 127.0.0.1'
  );
}
