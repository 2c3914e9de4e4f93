import { describe, expect, it } from 'vitest';
import { requireService, underCi } from './require-service.js';

describe('requireService', () => {
  it('lets a suite run when the service is available, under CI or not', () => {
    expect(requireService('PostgreSQL', true, undefined, {})).toBe(true);
    expect(requireService('PostgreSQL', true, undefined, { CI: 'true' })).toBe(true);
  });

  it('skips a suite on a machine without the service', () => {
    expect(requireService('PostgreSQL', false, undefined, {})).toBe(false);
    expect(requireService('PostgreSQL', false, undefined, { CI: 'false' })).toBe(false);
  });

  it('fails under CI when the service is missing, naming it and how to install it', () => {
    expect(() => requireService('Redis', false, 'install redis-server', { CI: 'true' })).toThrow(
      'Redis is required under CI=true, but its binaries were not found; install redis-server.',
    );
  });

  it('reads CI=true and CI=1 as CI', () => {
    expect(underCi({ CI: 'true' })).toBe(true);
    expect(underCi({ CI: '1' })).toBe(true);
    expect(underCi({ CI: 'TRUE' })).toBe(true);
    expect(underCi({})).toBe(false);
    expect(underCi({ CI: '' })).toBe(false);
  });
});
