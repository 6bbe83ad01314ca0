/**
 * "did you mean …" for a misspelt name: the candidates close enough to offer.
 *
 * Two rules are in use, and each caller keeps the one its error texts were written with (a
 * user's misspelling can be anything, so no single rule gives the same suggestions as both):
 * - `"up-to-two"` (the default: keys, parameters, policy names, variables in templates):
 *   Levenshtein distance with case folded, within a third of the word's length (at least 2
 *   edits), closest first, offering up to two;
 * - `"nearest-one"` (the type checker's fields and variables): optimal string alignment
 *   distance (swapping two neighbours is one edit), a case-only difference counting zero,
 *   within about a third of the name (1 edit for short names, never more than 3), offering
 *   the single nearest.
 */

export type SuggestionRule = "up-to-two" | "nearest-one";

/** `did you mean `a`?` (or `` `a` or `b` ``), or undefined when nothing is close. */
export function didYouMean(
  word: string,
  candidates: Iterable<string>,
  rule: SuggestionRule = "up-to-two",
): string | undefined {
  const [best, second] =
    rule === "up-to-two" ? upToTwo(word, candidates) : nearestOne(word, candidates);
  if (best === undefined) return undefined;
  return second === undefined
    ? `did you mean \`${best}\`?`
    : `did you mean \`${best}\` or \`${second}\`?`;
}

/** The candidates within a third of the word's length (at least 2 edits), closest first. */
function upToTwo(word: string, candidates: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return [...new Set(candidates)]
    .map((candidate) => ({
      candidate,
      d: levenshteinDistance(word.toLowerCase(), candidate.toLowerCase()),
    }))
    .filter(({ d }) => d <= limit)
    .sort((x, y) => x.d - y.d || x.candidate.localeCompare(y.candidate))
    .map(({ candidate }) => candidate)
    .slice(0, 2);
}

/**
 * The candidate nearest to `name`, when it differs only in case or by at most about a third
 * of the name's letters (1 edit for short names, never more than 3): a far guess misleads
 * more than no guess.
 */
function nearestOne(name: string, candidates: Iterable<string>): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of [...candidates].sort()) {
    const distance =
      candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best ? [best.candidate] : [];
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function levenshteinDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** Optimal string alignment distance: edits, where swapping two neighbours counts as one. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      (d[i] as number[])[j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}
