import { describe, expect, it } from 'vitest';
import { didYouMean } from './did-you-mean.js';

describe('didYouMean', () => {
  it('suggests the candidate one swapped pair of letters away', () => {
    expect(didYouMean('inptu', ['input', 'nodes', 'vars'])).toBe('input');
  });

  it('suggests the candidate one missing letter away', () => {
    expect(didYouMean('extrat', ['draft', 'extract', 'review'])).toBe('extract');
  });

  it('prefers a difference only in case', () => {
    expect(didYouMean('Input', ['inputs', 'input'])).toBe('input');
  });

  it('suggests nothing when every candidate is too far', () => {
    expect(didYouMean('banana', ['input', 'nodes'])).toBeUndefined();
  });

  it('allows more edits for longer words', () => {
    expect(didYouMean('formatDtae', ['formatDate', 'parseDate'])).toBe('formatDate');
    expect(didYouMean('ab', ['xy'])).toBeUndefined();
  });

  it('never suggests the word itself', () => {
    expect(didYouMean('input', ['input'])).toBeUndefined();
  });

  it('picks the closest of several candidates', () => {
    expect(didYouMean('nodez', ['nodes', 'node', 'modes'])).toBe('nodes');
  });
});
