import { describe, expect, it } from 'vitest';
import { compareAgents } from './compare-agents.js';

describe('compareAgents', () => {
  it('orders ids alphabetically and versions newest first by semantic version precedence', () => {
    const refs = [
      { id: 'b', version: '1.0.0' },
      { id: 'a', version: '1.9.0' },
      { id: 'a', version: '2.0.0-rc.1' },
      { id: 'a', version: '1.10.0' },
      { id: 'a', version: '2.0.0' },
    ];
    expect(refs.sort(compareAgents).map((r) => `${r.id}@${r.version}`)).toEqual([
      'a@2.0.0',
      'a@2.0.0-rc.1',
      'a@1.10.0',
      'a@1.9.0',
      'b@1.0.0',
    ]);
  });

  it('gives a total order to versions that differ only in build metadata', () => {
    const x = { id: 'a', version: '1.0.0+b' };
    const y = { id: 'a', version: '1.0.0+a' };
    expect(compareAgents(x, y)).toBe(-1);
    expect(compareAgents(y, x)).toBe(1);
    expect(compareAgents(x, { ...x })).toBe(0);
  });
});
