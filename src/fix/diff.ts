/**
 * Unified diffs of whole files, as `diff -u` and `git diff` write them: `--- a/path` and
 * `+++ b/path` headers, `@@ -l,s +l,s @@` hunks with 3 lines of context, and
 * `\ No newline at end of file` where a side ends without one. `patch -p1` and `git apply` read
 * the result.
 *
 * A small Myers line diff (O((N+M)·D) time, O(D²) memory) after trimming the common prefix and
 * suffix, so a few fixes in a large file cost little. Past MAX_D differing lines it stops looking
 * for a shortest script and writes the middle as one replacement (still a correct diff).
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

const MAX_D = 2000;

/** Lines that keep their `\n` (the last one may lack it), so a missing final newline is a difference. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let s = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    out.push(text.slice(s, i + 1));
    s = i + 1;
  }
  if (s < text.length) out.push(text.slice(s));
  return out;
}

/** The shortest edit script from a to b (Myers 1986, with the trace kept for backtracking). */
function myers(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const replaceAll = (): Op[] => [...a.map((line): Op => ({ kind: '-', line })), ...b.map((line): Op => ({ kind: '+', line }))];
  if (n === 0 || m === 0) return replaceAll();
  const max = n + m;
  const v = new Int32Array(2 * max + 3);
  const at = (k: number) => k + max + 1;
  /** trace[d] holds v[-d..d] as it was when step d began */
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    if (d > MAX_D) return replaceAll();
    trace.push(v.slice(at(-d), at(d) + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = d === 0 ? 0 : k === -d || (k !== d && v[at(k - 1)]! < v[at(k + 1)]!) ? v[at(k + 1)]! : v[at(k - 1)]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[at(k)] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const snap = trace[d]!;
    const V = (k: number) => snap[k + d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && V(k - 1) < V(k + 1)) ? k + 1 : k - 1;
    const prevX = V(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', line: a[--x]! }), y--;
    if (x === prevX) ops.push({ kind: '+', line: b[--y]! });
    else ops.push({ kind: '-', line: a[--x]! });
  }
  while (x > 0 && y > 0) ops.push({ kind: ' ', line: a[--x]! }), y--;
  return ops.reverse();
}

function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const eq = (line: string): Op => ({ kind: ' ', line });
  return [...a.slice(0, pre).map(eq), ...myers(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf)), ...a.slice(a.length - suf).map(eq)];
}

function range(start: number, len: number): string {
  // an empty side names the line before it (0 at the top of the file), as GNU diff does
  const first = len === 0 ? start : start + 1;
  return len === 1 ? `${first}` : `${first},${len}`;
}

function opLine(op: Op): string {
  return op.line.endsWith('\n') ? `${op.kind}${op.line.slice(0, -1)}\n` : `${op.kind}${op.line}\n\\ No newline at end of file\n`;
}

/** A unified diff of one file ('' when the texts are equal). `path` is relative, with forward slashes. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  const changed: number[] = [];
  ops.forEach((op, i) => op.kind !== ' ' && changed.push(i));
  let out = `--- a/${path}\n+++ b/${path}\n`;
  let ci = 0;
  // line counts of each side before ops[i], advanced as hunks are written
  let pos = 0;
  let oldLine = 0;
  let newLine = 0;
  while (ci < changed.length) {
    const start = Math.max(pos, changed[ci]! - context);
    let last = changed[ci]!;
    // one hunk while the gap between changes is at most 2 × context unchanged lines
    while (ci + 1 < changed.length && changed[ci + 1]! - last <= 2 * context + 1) last = changed[++ci]!;
    ci++;
    const end = Math.min(ops.length, last + context + 1);
    for (; pos < start; pos++) {
      oldLine++;
      newLine++;
    }
    const hunk = ops.slice(start, end);
    const oldLen = hunk.filter((o) => o.kind !== '+').length;
    const newLen = hunk.filter((o) => o.kind !== '-').length;
    out += `@@ -${range(oldLine, oldLen)} +${range(newLine, newLen)} @@\n`;
    for (const op of hunk) out += opLine(op);
    oldLine += oldLen;
    newLine += newLen;
    pos = end;
  }
  return out;
}

/** Diffs of several files, ordered by path. */
export function unifiedDiffs(files: readonly { path: string; before: string; after: string }[], context = 3): string {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => unifiedDiff(f.path, f.before, f.after, context))
    .join('');
}
