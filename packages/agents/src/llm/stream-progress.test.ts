import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { StreamProgress, type StreamProgressData } from './stream-progress.js';

describe('StreamProgress', () => {
  const setup = (): { clock: ManualClock; progress: StreamProgress; reports: StreamProgressData[] } => {
    const clock = new ManualClock();
    const reports: StreamProgressData[] = [];
    const progress = new StreamProgress((_message, data) => reports.push(data), clock, {
      everyChars: 10,
      everyMs: 1_000,
    });
    return { clock, progress, reports };
  };

  it('reports once enough characters have gathered, with the text since the last report', () => {
    const { progress, reports } = setup();
    for (const delta of ['Hel', 'lo, ', 'wor', 'ld! ', 'Bye']) progress.add(delta);
    expect(reports).toEqual([{ delta: 'Hello, wor', chars: 10 }]);
    progress.flush();
    expect(reports.at(-1)).toEqual({ delta: 'ld! Bye', chars: 17 });
  });

  it('reports a slow trickle once the interval has passed, and nothing in between', () => {
    const { clock, progress, reports } = setup();
    progress.add('a');
    clock.advance(400);
    progress.add('b');
    expect(reports).toEqual([]);
    clock.advance(600);
    progress.add('c');
    expect(reports).toEqual([{ delta: 'abc', chars: 3 }]);
    progress.add('d');
    expect(reports).toHaveLength(1);
  });

  it('reports nothing for empty deltas or an empty flush', () => {
    const { progress, reports } = setup();
    progress.add('');
    progress.flush();
    expect(reports).toEqual([]);
  });
});
