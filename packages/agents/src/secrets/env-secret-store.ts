import type { SecretStore } from '@baton/core';

/** The prefix of the environment variables `EnvSecretStore` reads. */
export const SECRET_ENV_PREFIX = 'BATON_SECRET_';

const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * A `SecretStore` over environment variables: the secret `scoring_token` is `BATON_SECRET_SCORING_TOKEN`.
 * Meant for embedded use and containers that receive secrets as variables. Names are upper-cased so a
 * definition may spell them either way; a name that could not be a variable name (`a-b`, `../x`) has no
 * value. An empty variable counts as unset, since a blank token is never what was meant.
 */
export class EnvSecretStore implements SecretStore {
  readonly #env: Readonly<Record<string, string | undefined>>;

  /** `env` defaults to `process.env`, read at each `get` so a rotated value is picked up. */
  constructor(env: Readonly<Record<string, string | undefined>> = process.env) {
    this.#env = env;
  }

  get(name: string): Promise<string | undefined> {
    if (!SECRET_NAME.test(name)) return Promise.resolve(undefined);
    const value = this.#env[SECRET_ENV_PREFIX + name.toUpperCase()];
    return Promise.resolve(value === undefined || value === '' ? undefined : value);
  }
}
