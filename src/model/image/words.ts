/**
 * Expanding the words of a RUN command the way the shell would at build time, as far as we
 * know the variables (ENV, ARG, assignments earlier in the same RUN), and matching globs.
 * Anything we cannot expand (`$(cmd)`, an unknown variable) gives undefined.
 */

/** a variable's value; undefined when the variable is unknown (not "unset") */
export type VarLookup = (name: string) => string | undefined;

/**
 * `$A`, `${A}`, `${A:-x}`, `${A-x}`, `${A:+x}`, `${A+x}` with A from `lookup`; a variable the lookup
 * does not know makes the whole word unknown. `$(...)`, backticks, `$((...))` are unknown too.
 * `knownUnset(name)` lists variables known to be unset (expand to '').
 */
export function expandShell(text: string, lookup: VarLookup, knownUnset: (name: string) => boolean = () => false): string | undefined {
  if (/`|\$\(/.test(text)) return undefined;
  let ok = true;
  const value = (name: string): string | undefined => {
    const v = lookup(name);
    if (v !== undefined) return v;
    return knownUnset(name) ? '' : undefined;
  };
  const out = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+=?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}|[0-9@*#?$!-]))/g, (_m, braced: string | undefined, op: string | undefined, word: string | undefined, plain: string | undefined, special: string | undefined) => {
    if (special !== undefined) {
      ok = false;
      return '';
    }
    const name = (braced ?? plain)!;
    const v = value(name);
    if (!op) {
      if (v === undefined) ok = false;
      return v ?? '';
    }
    const colon = op.startsWith(':');
    const kind = op.slice(-1);
    if (v === undefined) {
      ok = false;
      return '';
    }
    const isSet = lookup(name) !== undefined;
    const use = colon ? isSet && v !== '' : isSet;
    if (kind === '-' || kind === '=') return use ? v : (word ?? '');
    if (kind === '+') return use ? (word ?? '') : '';
    ok = false; // `?`: error when unset
    return v;
  });
  if (!ok || out.includes('$')) return undefined;
  return out;
}

export function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Go filepath.Match / POSIX fnmatch for one path: `*` and `?` stay in a segment, `[...]` classes. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else re += escapeRe(c);
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return /(?!)/; // a malformed class (`[z-a]`): matches nothing, like a pattern Docker rejects
  }
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** The directory part of a path before its first glob or variable, e.g. `/app/$X/y` → `/app`. */
export function literalDir(path: string): string {
  const i = path.search(/[*?[$`]/);
  if (i < 0) return path;
  const cut = path.lastIndexOf('/', i);
  return cut <= 0 ? '/' : path.slice(0, cut);
}
