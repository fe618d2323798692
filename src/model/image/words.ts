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

export { globToRegExp, hasGlob } from '../../core/glob.js';

/** The directory part of a path before its first glob or variable, e.g. `/app/$X/y` → `/app`. */
export function literalDir(path: string): string {
  const i = path.search(/[*?[$`]/);
  if (i < 0) return path;
  const cut = path.lastIndexOf('/', i);
  return cut <= 0 ? '/' : path.slice(0, cut);
}
