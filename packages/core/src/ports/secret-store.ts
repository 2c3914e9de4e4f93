/**
 * Where agent runtimes read secrets (API tokens, passwords) by name, so that definitions carry the name and
 * never the value. Adapters decide where values live: environment variables, an encrypted table, a vault.
 *
 * Contract: `get` resolves with the current value, or `undefined` when no secret has that name; it never
 * rejects for a missing name. Names are case-sensitive identifiers (`SCORING_API_TOKEN`). Callers must keep
 * values out of errors, logs, events and outputs.
 */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
}
