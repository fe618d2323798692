/**
 * Prefix queries over the repository's path sets. Many builds copy a whole directory
 * (`COPY . .`), so "every file under X" must not scan the whole tree each time: the sorted path
 * list is built once per set and each query is a binary search plus the matching slice.
 */
const sortedCache = new WeakMap<ReadonlySet<string>, string[]>();

export function sortedPaths(set: ReadonlySet<string>): readonly string[] {
  let sorted = sortedCache.get(set);
  if (!sorted) {
    sorted = [...set].sort();
    sortedCache.set(set, sorted);
  }
  return sorted;
}

/** Paths of `set` strictly below directory `dir` ('' = everything), in sorted order. */
export function pathsUnder(set: ReadonlySet<string>, dir: string): readonly string[] {
  const sorted = sortedPaths(set);
  if (!dir) return sorted;
  const prefix = `${dir}/`;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end]!.startsWith(prefix)) end++;
  return sorted.slice(lo, end);
}
