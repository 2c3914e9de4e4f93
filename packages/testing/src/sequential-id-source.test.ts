import { describe, expect, it } from 'vitest';
import { SequentialIdSource } from './sequential-id-source.js';

describe('SequentialIdSource', () => {
  it('counts from 1 separately for each prefix', () => {
    const ids = new SequentialIdSource();
    expect([ids.next('run'), ids.next('run'), ids.next('task'), ids.next('run')]).toEqual([
      'run_1',
      'run_2',
      'task_1',
      'run_3',
    ]);
  });

  it('makes the same ids in a new source, so tests are repeatable', () => {
    const first = new SequentialIdSource();
    const second = new SequentialIdSource();
    expect([first.next('run'), first.next('run')]).toEqual([second.next('run'), second.next('run')]);
  });

  it('pads the counter to a width so ids sort by creation as strings', () => {
    const ids = new SequentialIdSource({ width: 3 });
    const made = Array.from({ length: 12 }, () => ids.next('run'));
    expect(made[0]).toBe('run_001');
    expect([...made].sort()).toEqual(made);
  });
});
