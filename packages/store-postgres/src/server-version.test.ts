import { describe, expect, it } from 'vitest';
import { StorageError } from '@baton/core';
import { MIN_SERVER_MAJOR, checkServerVersion } from './server-version.js';

describe('checkServerVersion', () => {
  it('accepts PostgreSQL 14 and newer and returns the major version', () => {
    expect(MIN_SERVER_MAJOR).toBe(14);
    expect(checkServerVersion('140000', '14.0', 'db:5432/baton')).toBe(14);
    expect(checkServerVersion('150014', '15.14 (Debian 15.14-0+deb12u1)', 'db:5432/baton')).toBe(15);
    expect(checkServerVersion('180001', '18.1', 'db:5432/baton')).toBe(18);
  });

  it('refuses an older server, naming its version and what to do', () => {
    const refuse =
      (num: string, text: string): (() => number) =>
      () =>
        checkServerVersion(num, text, 'db:5432/baton');
    expect(refuse('130009', '13.9 (Debian 13.9-1)')).toThrow(StorageError);
    expect(refuse('130009', '13.9 (Debian 13.9-1)')).toThrow(
      'the PostgreSQL server at db:5432/baton runs version 13.9, which Baton does not support; upgrade it to PostgreSQL 14 or newer',
    );
    expect(refuse('90624', '9.6.24')).toThrow('runs version 9.6.24');
  });

  it('refuses a server whose version it cannot read', () => {
    expect(() => checkServerVersion('', '', 'db:5432/baton')).toThrow('cannot tell the version');
    expect(() => checkServerVersion('abc', 'abc', 'db:5432/baton')).toThrow('cannot tell the version');
  });
});
