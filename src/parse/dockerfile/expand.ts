/**
 * Dockerfile variable substitution (ARG/ENV in FROM, ENV, WORKDIR, USER, COPY, EXPOSE, ...).
 * dockerfile-ast's own expansion skips `${V:-w}` and is not transitive, so we do it here.
 *
 * Two entry points:
 * - `expandVariables` substitutes only: quotes stay in the text, `'...'` is not expanded (as in
 *   BuildKit), an escaped `$` becomes a literal `$`, other escapes are kept as written.
 * - `processWord` is what BuildKit does to one word: substitution plus quote removal and escapes.
 */
export type Lookup = (name: string) => string | undefined;
type Escape = '\\' | '`';

export function expandVariables(text: string, lookup: Lookup, escape: Escape = '\\'): string {
  return run(text, lookup, escape, false);
}

export function processWord(word: string, lookup: Lookup, escape: Escape = '\\'): string {
  return run(word, lookup, escape, true);
}

function run(s: string, lookup: Lookup, escape: Escape, unquote: boolean): string {
  let out = '';
  let inDouble = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === escape && i + 1 < s.length) {
      const next = s[i + 1]!;
      if (next === '$') out += '$';
      // inside double quotes only `"`, `$` and the escape itself are escapable (POSIX sh / BuildKit)
      else if (unquote && (!inDouble || next === '"' || next === escape)) out += next;
      else out += c + next;
      i += 2;
    } else if (c === "'" && !inDouble) {
      const end = s.indexOf("'", i + 1);
      const stop = end < 0 ? s.length : end + 1;
      out += unquote ? s.slice(i + 1, end < 0 ? s.length : end) : s.slice(i, stop);
      i = stop;
    } else if (c === '"') {
      inDouble = !inDouble;
      if (!unquote) out += c;
      i++;
    } else if (c === '$') {
      const [value, next] = dollar(s, i, lookup, escape, unquote);
      out += value;
      i = next;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Expands the `$...` at `s[i]`; returns the value and the index after it. */
function dollar(s: string, i: number, lookup: Lookup, escape: Escape, unquote: boolean): [string, number] {
  const next = s[i + 1];
  if (next !== undefined && NAME_START.test(next)) {
    let j = i + 1;
    while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
    return [lookup(s.slice(i + 1, j)) ?? '', j];
  }
  if (next !== '{') return ['$', i + 1];
  let j = i + 2;
  while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
  const name = s.slice(i + 2, j);
  const close = matchingBrace(s, j, escape);
  if (!name || close < 0) return ['$', i + 1]; // not a substitution BuildKit accepts: keep it literal
  const op = s.slice(j, close);
  const value = lookup(name);
  const m = /^(:?)([-+?])([\s\S]*)$/.exec(op);
  if (!m) return [value ?? '', close + 1]; // `${V}`, or a modifier we do not model (`#`, `%`, `/`)
  const [, colon, kind, rawWord] = m;
  const set = colon ? value !== undefined && value !== '' : value !== undefined;
  const word = (): string => run(rawWord!, lookup, escape, unquote);
  if (kind === '-') return [set ? value! : word(), close + 1];
  if (kind === '+') return [set ? word() : '', close + 1];
  return [value ?? '', close + 1]; // `${V:?msg}`: BuildKit fails the build when unset; we just read V
}

/** Index of the `}` that closes the `${` whose body starts at `j`, counting nested `${`; -1 if none. */
function matchingBrace(s: string, j: number, escape: Escape): number {
  let depth = 1;
  for (let k = j; k < s.length; k++) {
    const c = s[k];
    if (c === escape) k++;
    else if (c === '$' && s[k + 1] === '{') {
      depth++;
      k++;
    } else if (c === '}' && --depth === 0) return k;
  }
  return -1;
}
