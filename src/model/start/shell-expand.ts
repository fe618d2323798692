/**
 * The little of shell expansion the start plan needs: quote removal plus `$VAR`, `${VAR:-x}`,
 * `$1`, `$0` when the value is known, and the truth of simple `[ "$A" = b ]` / `case` guards.
 * Nothing is executed: `$(...)` and backticks stay as written and make the result unknown.
 */
import { globMatch as matchGlob } from '../../core/glob.js';

/** A variable's value: a string when known, `unset` when it is certainly not set, undefined when unknown. */
export type VarLookup = (name: string) => string | 'unset' | undefined;

export interface Expanded {
  text: string;
  /** false when some expansion could not be resolved (it is left as written in `text`) */
  known: boolean;
  /** true when an unquoted expansion produced text (the shell would field-split it) */
  splits: boolean;
}

/** `"$@"`, `$@`, `"${@}"`, `$*`, `"$*"`: all positional parameters. */
export function isAllArgs(raw: string): boolean {
  return /^(?:"\$\{?[@*]\}?"|\$\{?[@*]\}?)$/.test(raw);
}

/** `"$1"`, `$1`, `${2}`: one positional parameter (its number), else undefined. */
export function positionalIndex(raw: string): number | undefined {
  const m = /^"?\$(?:(\d)|\{(\d+)\})"?$/.exec(raw);
  if (!m) return undefined;
  if (raw.startsWith('"') !== raw.endsWith('"')) return undefined;
  return Number(m[1] ?? m[2]);
}

/** Expand one shell word as written (quotes included). */
export function expandWord(raw: string, lookup: VarLookup): Expanded {
  let out = '';
  let known = true;
  let splits = false;
  let i = 0;
  const n = raw.length;
  const expansion = (quoted: boolean): void => {
    const r = expandDollar(raw, i, lookup);
    out += r.text;
    if (!r.known) known = false;
    else if (!quoted && r.expanded) splits = true;
    i = r.end;
  };
  while (i < n) {
    const c = raw[i]!;
    if (c === '\\') {
      if (i + 1 < n && raw[i + 1] !== '\n') out += raw[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      const stop = end < 0 ? n : end;
      out += raw.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      i++;
      while (i < n && raw[i] !== '"') {
        const d = raw[i]!;
        if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(raw[i + 1]!)) {
          if (raw[i + 1] !== '\n') out += raw[i + 1];
          i += 2;
        } else if (d === '$') expansion(true);
        else if (d === '`') {
          const end = raw.indexOf('`', i + 1);
          const stop = end < 0 ? n : end + 1;
          out += raw.slice(i, stop);
          known = false;
          i = stop;
        } else {
          out += d;
          i++;
        }
      }
      i++;
    } else if (c === '$') {
      if (raw[i + 1] === "'") {
        // $'…': ANSI-C quoting, rare in start scripts; keep the body
        const end = raw.indexOf("'", i + 2);
        const stop = end < 0 ? n : end;
        out += raw.slice(i + 2, stop);
        i = stop + 1;
      } else expansion(false);
    } else if (c === '`') {
      const end = raw.indexOf('`', i + 1);
      const stop = end < 0 ? n : end + 1;
      out += raw.slice(i, stop);
      known = false;
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, known, splits };
}

/** Expand `$…` in text that has no quoting left (an assignment value as parse-shell gives it). */
export function expandText(text: string, lookup: VarLookup): Expanded {
  let out = '';
  let known = true;
  let i = 0;
  while (i < text.length) {
    if (text[i] === '$') {
      const r = expandDollar(text, i, lookup);
      out += r.text;
      if (!r.known) known = false;
      i = r.end;
    } else out += text[i++];
  }
  return { text: out, known, splits: false };
}

interface DollarResult {
  text: string;
  known: boolean;
  /** a variable was substituted (as opposed to a literal `$`) */
  expanded: boolean;
  end: number;
}

function expandDollar(s: string, i: number, lookup: VarLookup): DollarResult {
  const next = s[i + 1];
  if (next === '(') {
    // $(…) or $((…)): not evaluated
    let depth = 0;
    let j = i + 1;
    for (; j < s.length; j++) {
      if (s[j] === '(') depth++;
      else if (s[j] === ')' && --depth === 0) break;
    }
    return { text: s.slice(i, j + 1), known: false, expanded: false, end: j + 1 };
  }
  if (next === '{') {
    const close = matchingBrace(s, i + 1);
    if (close < 0) return { text: s.slice(i), known: false, expanded: false, end: s.length };
    const body = s.slice(i + 2, close);
    const end = close + 1;
    const written = s.slice(i, end);
    const m = /^([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!0-])(?:(:?[-=+?])(.*))?$/s.exec(body);
    if (!m) return { text: written, known: false, expanded: false, end };
    const [, name, op, word = ''] = m;
    const v = lookup(name!);
    if (!op) return v === undefined || v === 'unset' ? { text: written, known: false, expanded: false, end } : { text: v, known: true, expanded: true, end };
    const colon = op.startsWith(':');
    const kind = op.slice(-1);
    if (v === undefined) return { text: written, known: false, expanded: false, end };
    const isSet = v !== 'unset';
    const nonEmpty = isSet && v !== '';
    const use = colon ? nonEmpty : isSet;
    if (kind === '-' || kind === '=') {
      if (use) return { text: v as string, known: true, expanded: true, end };
      const d = expandText(word, lookup);
      return { text: d.text, known: d.known, expanded: true, end };
    }
    if (kind === '+') {
      if (!use) return { text: '', known: true, expanded: true, end };
      const d = expandText(word, lookup);
      return { text: d.text, known: d.known, expanded: true, end };
    }
    // `?`: the shell exits when unset; the value otherwise
    return use ? { text: v as string, known: true, expanded: true, end } : { text: written, known: false, expanded: false, end };
  }
  const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d|[@*#?$!0-])/.exec(s.slice(i + 1));
  if (!m) return { text: '$', known: true, expanded: false, end: i + 1 };
  const name = m[0];
  const end = i + 1 + name.length;
  const v = lookup(name);
  if (v === undefined || v === 'unset') return { text: s.slice(i, end), known: false, expanded: false, end };
  return { text: v, known: true, expanded: true, end };
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === '{') depth++;
    else if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// conditions

/** Split a condition into shell words (quotes kept) and the operators `&&`, `||`, `!`, `;`. */
export function splitShell(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const flush = (): void => {
    if (inWord) out.push(cur);
    cur = '';
    inWord = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      cur += text.slice(i, stop);
      inWord = true;
      i = stop;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text.slice(i, i + 2);
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      flush();
      i++;
    } else if ((c === '&' || c === '|') && text[i + 1] === c) {
      flush();
      out.push(c + c);
      i += 2;
    } else if (c === ';' || c === '|' || c === '&') {
      flush();
      out.push(c);
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  flush();
  return out;
}

/**
 * Truth of a guard written as a test: `[ "$A" = b ]`, `[[ $A == b ]]`, `test -n "$A"`, `! [ … ]`,
 * joined with `&&` / `||`. Undefined when any part is not a simple test or a value is unknown.
 */
export function evalCondition(text: string, lookup: VarLookup): boolean | undefined {
  const tokens = splitShell(text.trim().replace(/;\s*$/, ''));
  if (!tokens.length) return undefined;
  // left to right, as the shell does for && and || of equal precedence
  let result: boolean | undefined;
  let op: string | undefined;
  let cur: string[] = [];
  const apply = (): boolean => {
    const v = evalSimple(cur, lookup);
    cur = [];
    if (op === undefined) result = v;
    else if (op === '&&') result = result === false ? false : result === true ? v : v === false ? false : undefined;
    else result = result === true ? true : result === false ? v : v === true ? true : undefined;
    return true;
  };
  for (const t of tokens) {
    if (t === '&&' || t === '||') {
      if (!cur.length) return undefined;
      apply();
      op = t;
    } else if (t === ';' || t === '|' || t === '&') return undefined;
    else cur.push(t);
  }
  if (!cur.length) return undefined;
  apply();
  return result;
}

function evalSimple(words: string[], lookup: VarLookup): boolean | undefined {
  let w = words;
  let negate = false;
  while (w[0] === '!') {
    negate = !negate;
    w = w.slice(1);
  }
  let inner: string[];
  if (w[0] === '[' && w[w.length - 1] === ']') inner = w.slice(1, -1);
  else if (w[0] === '[[' && w[w.length - 1] === ']]') inner = w.slice(1, -1);
  else if (w[0] === 'test') inner = w.slice(1);
  else if (w.length === 1 && (w[0] === 'true' || w[0] === ':')) inner = ['1'];
  else if (w.length === 1 && w[0] === 'false') return negate;
  else return undefined;
  while (inner[0] === '!') {
    negate = !negate;
    inner = inner.slice(1);
  }
  const val = (raw: string): string | undefined => {
    const e = expandWord(raw, lookup);
    return e.known ? e.text : undefined;
  };
  let v: boolean | undefined;
  if (inner.length === 1) {
    const a = val(inner[0]!);
    v = a === undefined ? undefined : a !== '';
  } else if (inner.length === 2 && (inner[0] === '-n' || inner[0] === '-z')) {
    const a = val(inner[1]!);
    v = a === undefined ? undefined : inner[0] === '-n' ? a !== '' : a === '';
  } else if (inner.length === 3 && ['=', '==', '!='].includes(inner[1]!)) {
    const a = val(inner[0]!);
    const double = w[0] === '[[';
    // in [[ ]], an unquoted right side of == is a pattern
    const rightRaw = inner[2]!;
    const b = val(rightRaw);
    if (a === undefined || b === undefined) v = undefined;
    else {
      const eq = double && !/^["']/.test(rightRaw) ? globMatch(b, a) : a === b;
      v = inner[1] === '!=' ? !eq : eq;
    }
  } else if (inner.length === 3 && ['-eq', '-ne', '-gt', '-lt', '-ge', '-le'].includes(inner[1]!)) {
    const a = val(inner[0]!);
    const b = val(inner[2]!);
    if (a === undefined || b === undefined || !/^-?\d+$/.test(a.trim()) || !/^-?\d+$/.test(b.trim())) v = undefined;
    else {
      const x = Number(a);
      const y = Number(b);
      v = { '-eq': x === y, '-ne': x !== y, '-gt': x > y, '-lt': x < y, '-ge': x >= y, '-le': x <= y }[inner[1]!];
    }
  } else return undefined;
  return v === undefined ? undefined : negate ? !v : v;
}

/** `case` patterns: `*`, `?`, `[…]` (alternatives already split by the caller); `*` crosses `/`. */
export function globMatch(pattern: string, s: string): boolean {
  return matchGlob(pattern, s, { crossSlash: true });
}

/** Truth of a `case WORD in PATTERNS)` branch: it matches and no earlier item does (the first match wins). */
export function evalCase(word: string, patterns: string[], lookup: VarLookup, earlier: string[][] = []): boolean | undefined {
  const w = expandWord(word, lookup);
  if (!w.known) return undefined;
  const matches = (list: string[]): boolean | undefined => {
    for (const p of list) {
      const e = expandWord(p, lookup);
      if (!e.known) return undefined;
      // a quoted pattern matches literally
      if (/^["']/.test(p) ? e.text === w.text : globMatch(e.text, w.text)) return true;
    }
    return false;
  };
  for (const list of earlier) {
    const m = matches(list);
    if (m !== false) return m === true ? false : undefined;
  }
  return matches(patterns);
}

/** `${VAR:=default}` / `${VAR=default}` in a word: the assignments it makes (as written). */
export function defaultAssignments(raw: string): { name: string; colon: boolean; word: string }[] {
  const out: { name: string; colon: boolean; word: string }[] = [];
  for (const m of raw.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?)=([^}]*)\}/g)) out.push({ name: m[1]!, colon: m[2] === ':', word: m[3]! });
  return out;
}
