import { afterEach, describe, expect, it, vi } from 'vitest';
import { EnvSecretStore } from './env-secret-store.js';

describe('EnvSecretStore', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads BATON_SECRET_<NAME> from the process environment at each call', async () => {
    const store = new EnvSecretStore();
    expect(await store.get('SCORING_TOKEN')).toBeUndefined();
    vi.stubEnv('BATON_SECRET_SCORING_TOKEN', 'first');
    expect(await store.get('SCORING_TOKEN')).toBe('first');
    vi.stubEnv('BATON_SECRET_SCORING_TOKEN', 'rotated');
    expect(await store.get('scoring_token')).toBe('rotated');
  });

  it('has no value for empty variables or names that cannot be variable names', async () => {
    const store = new EnvSecretStore({ BATON_SECRET_EMPTY: '', BATON_SECRET_A: 'a', PATH: '/bin' });
    expect(await store.get('EMPTY')).toBeUndefined();
    expect(await store.get('a')).toBe('a');
    expect(await store.get('')).toBeUndefined();
    expect(await store.get('a-b')).toBeUndefined();
    expect(await store.get('../PATH')).toBeUndefined();
    expect(await store.get('1A')).toBeUndefined();
  });
});
