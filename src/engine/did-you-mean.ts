// Suggestions for misspelt names: "unknown capability 'sumbit' for job (did you mean 'submit'?)".

/** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2][j - 2] + 1);
      d[i][j] = best;
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The closest candidate within a third of the word's length (at least 1 edit, at
 * most 3), else a candidate that the word extends or truncates, or null.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | null {
  if (word.length > 100) return null;
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate.length > 100) continue;
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance || (distance === bestDistance && best !== null && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.min(3, Math.max(1, Math.floor(Math.max(word.length, 1) / 3)));
  if (best !== null && bestDistance <= allowed) return best;
  // A word that extends or truncates a candidate ("READING", "capab") is a likely slip too.
  let prefixed: string | null = null;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const shorter = Math.min(c.length, lower.length);
    if (
      shorter >= 3 &&
      (c.startsWith(lower) || lower.startsWith(c)) &&
      (prefixed === null || candidate.length > prefixed.length)
    )
      prefixed = candidate;
  }
  return prefixed;
}

/** " (did you mean 'x'?)" when there is a close candidate, else "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === null || match === word ? "" : ` (did you mean '${match}'?)`;
}
