/**
 * "Did you mean …?" for names a client got slightly wrong (a search parameter, a resource type).
 * Distance is optimal string alignment: insertions, deletions, substitutions and swapping two
 * adjacent characters each count one, so the commonest typo (`nmae`) is one edit from `name`.
 */

/** Longer names are not typos of anything we know; the cap keeps the cost bounded. */
const MAX_NAME_LENGTH = 64;

export function editDistance(a: string, b: string): number {
  // Three rolling rows: the transposition looks two rows back.
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** How many edits still read as a typo: one under six characters, two from there on. */
function tolerance(name: string): number {
  return name.length < 6 ? 1 : 2;
}

/**
 * The candidate nearest to `name`, if it is near enough to be what was meant. Case is compared
 * last: `patient` → `Patient` (only case differs) beats any other candidate.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return undefined;
  const lower = name.toLowerCase();
  const limit = tolerance(name);
  let best: { candidate: string; distance: number; exact: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance > limit) continue;
    const exact = editDistance(name, candidate);
    const better =
      !best ||
      distance < best.distance ||
      (distance === best.distance &&
        (exact < best.exact || (exact === best.exact && candidate < best.candidate)));
    if (better) best = { candidate, distance, exact };
  }
  return best?.candidate;
}

/** ` — did you mean 'x'?` to append to a message, or nothing when there is no suggestion. */
export function didYouMeanPhrase(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : ` — did you mean '${suggestion}'?`;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  return didYouMeanPhrase(closest(name, candidates));
}
