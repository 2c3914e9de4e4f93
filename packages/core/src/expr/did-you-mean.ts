/**
 * The candidate closest to `word`, for "did you mean" hints in error messages, or `undefined` when none is
 * close enough. Distance is Damerau–Levenshtein (optimal string alignment), so a swapped pair of letters
 * (`inptu` → `input`) costs one edit; a candidate is close enough within one edit per three characters of
 * `word` (at least one). Case differences cost nothing extra when they are the only difference.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const budget = Math.max(1, Math.floor(word.length / 3));
  const lowered = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    // A length gap alone exceeding the budget rules a candidate out before the quadratic work.
    if (Math.abs(candidate.length - word.length) > budget) continue;
    const distance =
      candidate.toLowerCase() === lowered ? 0.5 : editDistance(lowered, candidate.toLowerCase(), budget);
    if (distance <= budget && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The optimal-string-alignment distance between `a` and `b`, or `limit + 1` as soon as it must exceed
 * `limit` (every row's minimum only grows, so a row above the limit ends the search).
 */
function editDistance(a: string, b: string, limit: number): number {
  let beforePrevious: number[] = [];
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current: number[] = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}
